-- 0001: the public archive schema (README documents it; later migrations extend, never rename).
-- All timestamps are RFC 3339 UTC text.

CREATE TABLE sites (
    id            INTEGER PRIMARY KEY,
    base_url      TEXT NOT NULL UNIQUE,
    engine        TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);

CREATE TABLE threads (
    id              INTEGER PRIMARY KEY,
    site_id         INTEGER NOT NULL REFERENCES sites(id),
    external_id     TEXT NOT NULL,
    url             TEXT NOT NULL,
    title           TEXT,
    prefix          TEXT,
    forum_path      TEXT,            -- JSON array of breadcrumb labels
    page_count      INTEGER,
    first_seen_at   TEXT NOT NULL,
    last_crawled_at TEXT,
    UNIQUE (site_id, external_id)
);

CREATE TABLE authors (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id),
    external_id    TEXT NOT NULL,   -- the forum's user id, or "name:<name>" when not linked
    name           TEXT,
    profile_url    TEXT,
    title          TEXT,
    joined_on      TEXT,            -- YYYY-MM-DD or YYYY-MM
    messages       INTEGER,
    reaction_score INTEGER,
    location       TEXT,
    country        TEXT,
    extras         TEXT,            -- JSON object of other sidebar label/value pairs
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    UNIQUE (site_id, external_id)
);

CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    thread_id      INTEGER NOT NULL REFERENCES threads(id),
    external_id    TEXT NOT NULL,
    number         INTEGER,
    url            TEXT,
    author_id      INTEGER REFERENCES authors(id),
    author_name    TEXT,
    posted_at      TEXT,
    posted_text    TEXT,
    edited_at      TEXT,
    body_html      TEXT NOT NULL,
    body_text      TEXT NOT NULL,
    signature_text TEXT,
    content_hash   TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    UNIQUE (thread_id, external_id)
);
CREATE INDEX posts_author ON posts(author_id);
CREATE INDEX posts_posted_at ON posts(posted_at);

CREATE TABLE quotes (
    post_id                 INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    quoted_post_external_id TEXT,
    quoted_author           TEXT,
    body_text               TEXT NOT NULL
);
CREATE INDEX quotes_post ON quotes(post_id);

CREATE TABLE pages (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    thread_id     INTEGER REFERENCES threads(id),
    number        INTEGER,
    fetched_at    TEXT NOT NULL,
    status        INTEGER NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    sha256        TEXT NOT NULL,   -- of the raw bytes as fetched
    encoding      TEXT,            -- the charset the page was decoded from
    html          BLOB             -- raw bytes, gzip-compressed
);
CREATE INDEX pages_thread ON pages(thread_id, number);

CREATE TABLE crawl_runs (
    id            INTEGER PRIMARY KEY,
    command       TEXT NOT NULL,
    args          TEXT,            -- JSON array
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL,   -- running, ok, failed, interrupted
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    posts_new     INTEGER NOT NULL DEFAULT 0,
    posts_updated INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE crawl_errors (
    run_id  INTEGER REFERENCES crawl_runs(id),
    url     TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX crawl_errors_run ON crawl_errors(run_id);

-- Full-text search over post text. The name posts_fts with content='posts' is the
-- convention Datasette detects.
CREATE VIRTUAL TABLE posts_fts USING fts5(
    body_text,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts(rowid, body_text) VALUES (new.id, new.body_text);
END;
CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts(posts_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text);
END;
CREATE TRIGGER posts_fts_au AFTER UPDATE OF body_text ON posts BEGIN
    INSERT INTO posts_fts(posts_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text);
    INSERT INTO posts_fts(rowid, body_text) VALUES (new.id, new.body_text);
END;
