-- 0004: board crawls. A crash-safe frontier, the single-crawl lock, listing metadata
-- for incremental re-crawls, and scheduled jobs.

-- frontier: the crawl's to-do list, one row per URL per crawl key (the seeds and
-- filters of a crawl). Leased rows whose lease ran out are taken again, so a crawl
-- killed with kill -9 resumes exactly where it stopped.
CREATE TABLE frontier (
    id          INTEGER PRIMARY KEY,
    crawl_key   TEXT NOT NULL,
    url         TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- listing | thread
    depth       INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'pending', -- pending | leased | done | failed
    lease_until TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT,                       -- do not take before (host paused, robots unavailable)
    last_error  TEXT,
    entry       TEXT,                       -- JSON of the listing entry that queued a thread
    added_at    TEXT NOT NULL,
    done_at     TEXT,
    UNIQUE (crawl_key, url)
);
CREATE INDEX frontier_take ON frontier(crawl_key, state, not_before, id);

-- crawl_lock: at most one crawl per database. A lock whose process is gone (same host,
-- dead pid) or whose heartbeat is stale is taken over.
CREATE TABLE crawl_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    run_id       INTEGER,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    command      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);

-- listing_entries: what a board listing last said about a thread, and what it said
-- when the thread was last archived completely. Equal values mean nothing to fetch.
CREATE TABLE listing_entries (
    url                   TEXT PRIMARY KEY,   -- the thread URL as listed
    site                  TEXT NOT NULL,
    thread_external_id    TEXT,
    title                 TEXT,
    replies               INTEGER,
    last_post_at          TEXT,
    last_post_text        TEXT,
    seen_at               TEXT NOT NULL,
    archived_replies      INTEGER,
    archived_last_post_at TEXT,
    archived_last_post_text TEXT,
    archived_at           TEXT
);

-- jobs: scheduled crawls, run by `forumarc run-due` (cron) or `forumarc schedule`.
CREATE TABLE jobs (
    name          TEXT PRIMARY KEY,
    every_seconds INTEGER,                    -- set for --every
    cron          TEXT,                       -- set for --cron
    args          TEXT NOT NULL,              -- JSON array: crawl flags and URLs
    created_at    TEXT NOT NULL,
    last_run_at   TEXT,
    last_status   TEXT,
    last_run_id   INTEGER,
    next_run_at   TEXT NOT NULL,
    CHECK ((every_seconds IS NULL) != (cron IS NULL))
);
