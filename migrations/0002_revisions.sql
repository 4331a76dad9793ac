-- 0002: post history. A changed post keeps its earlier versions; a vanished post is
-- marked, never removed.
ALTER TABLE posts ADD COLUMN deleted_at TEXT;

CREATE TABLE post_revisions (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts(id),
    body_html     TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    edited_at     TEXT,           -- the edit time the forum showed for this version
    first_seen_at TEXT NOT NULL,  -- when this version was first archived
    replaced_at   TEXT NOT NULL   -- when a newer version was seen
);
CREATE INDEX post_revisions_post ON post_revisions(post_id);
