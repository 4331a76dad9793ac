-- 0012: earlier copies of re-fetched pages. pages holds one row per URL and a re-fetch
-- replaces its bytes; the copy it replaces is kept here, by a trigger, when the raw
-- bytes changed (another sha256), there were bytes to keep, and the posts the page
-- shows changed (another posts_sha256: their ids and bodies, as SavePage hashes them).
-- Forums change markup on every request (a CSRF token, "users online"), so the bytes
-- alone would keep a full copy of every re-fetch that showed the same posts. A 304 or
-- an unchanged page writes nothing, nor does an update of other columns. A row saved
-- before this migration has no posts_sha256: its copy is kept on the first change of
-- bytes. Values are the old pages row's, html gzip-compressed as in pages.
ALTER TABLE pages ADD COLUMN posts_sha256 TEXT;

CREATE TABLE page_versions (
    id            INTEGER PRIMARY KEY,
    page_id       INTEGER NOT NULL REFERENCES pages(id),
    url           TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,   -- when this copy was fetched
    status        INTEGER NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    sha256        TEXT NOT NULL,   -- of the raw bytes as fetched
    encoding      TEXT,
    html          BLOB NOT NULL    -- raw bytes, gzip-compressed
);
CREATE INDEX page_versions_page ON page_versions(page_id);

CREATE TRIGGER pages_keep_version BEFORE UPDATE ON pages
WHEN old.html IS NOT NULL AND old.sha256 IS NOT new.sha256
 AND (old.posts_sha256 IS NULL OR new.posts_sha256 IS NULL OR old.posts_sha256 IS NOT new.posts_sha256)
BEGIN
    INSERT INTO page_versions (page_id, url, fetched_at, status, etag, last_modified, sha256, encoding, html)
    VALUES (old.id, old.url, old.fetched_at, old.status, old.etag, old.last_modified, old.sha256, old.encoding, old.html);
END;
