-- 0006: keep the join date as the forum displayed it ("May 21, 2006", "Oct 2019"),
-- beside the normalised joined_on, as extract's joined_text does.
ALTER TABLE authors ADD COLUMN joined_text TEXT;

-- post_details gains author_joined_text (columns are only ever added).
DROP VIEW post_details;
CREATE VIEW post_details AS
SELECT
    p.id               AS post_id,
    p.external_id      AS post_external_id,
    p.number           AS post_number,
    p.url              AS post_url,
    p.posted_at,
    p.posted_text,
    p.edited_at,
    p.deleted_at,
    p.body_text,
    p.signature_text,
    a.id               AS author_id,
    COALESCE(a.name, p.author_name) AS author_name,
    a.title            AS author_title,
    a.joined_on        AS author_joined_on,
    a.joined_text      AS author_joined_text,
    a.messages         AS author_messages,
    a.reaction_score   AS author_reaction_score,
    a.location         AS author_location,
    a.country          AS author_country,
    a.profile_url      AS author_profile_url,
    t.id               AS thread_id,
    t.external_id      AS thread_external_id,
    t.title            AS thread_title,
    t.prefix           AS thread_prefix,
    t.url              AS thread_url,
    t.forum_path       AS forum_path,
    s.id               AS site_id,
    s.base_url         AS site_url,
    s.engine           AS engine
FROM posts p
JOIN threads t ON t.id = p.thread_id
JOIN sites s ON s.id = t.site_id
LEFT JOIN authors a ON a.id = p.author_id;
