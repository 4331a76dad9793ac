-- 0009: the process that writes each crawl run. archive and reparse take no lock, so a
-- run whose process was killed (kill -9, power loss) stayed "running" forever. With
-- its pid and host a run on this host is known dead when the pid is gone; heartbeat_at,
-- refreshed with the run's counters and at least every 20 s, tells for another host
-- (or a row from before this migration, which has neither) that it stopped. NULL on
-- rows written before this migration.
ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
ALTER TABLE crawl_runs ADD COLUMN host TEXT;
ALTER TABLE crawl_runs ADD COLUMN heartbeat_at TEXT;
