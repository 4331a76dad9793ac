-- 0013: reparse asks, for posts saved before migration 0007 and for deleted posts,
-- whether a run started after a page was fetched; without an index on started_at each
-- such post scanned crawl_runs, which a crawl scheduled every few minutes grows by
-- thousands of rows a month.
CREATE INDEX crawl_runs_started ON crawl_runs(started_at);
