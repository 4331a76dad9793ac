-- 0011: spell posts_fts's content option content="posts", the form Datasette
-- (detect_fts_sql) and sqlite-utils (detect_fts) look for in sqlite_schema; 0001 wrote
-- content = 'posts', which neither finds, so Datasette offered no search. Only the
-- spelling changes: same column, content_rowid, tokenizer and triggers as 0001, and the
-- index is rebuilt from posts. The triggers are dropped first and created again after
-- the table, as 0001 has them.
DROP TRIGGER posts_fts_ai;
DROP TRIGGER posts_fts_ad;
DROP TRIGGER posts_fts_au;
DROP TABLE posts_fts;

CREATE VIRTUAL TABLE posts_fts USING fts5(
    body_text,
    content="posts",
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

INSERT INTO posts_fts(posts_fts) VALUES ('rebuild');
