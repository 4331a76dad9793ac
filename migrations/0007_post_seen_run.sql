-- 0007: the crawl run that last saw each post. A complete walk of a thread marks the
-- posts it did not see as deleted by comparing with its own run, which unlike a
-- timestamp stays exact when two runs fall in the same second.
ALTER TABLE posts ADD COLUMN last_seen_run INTEGER;
