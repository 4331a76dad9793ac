-- 0008: threads are looked up by URL whenever a crawl or archive starts a thread whose
-- pages are not archived yet (ThreadByURL). Without an index that lookup read the
-- whole threads table, so a crawl slowed down with every thread it had archived.
CREATE INDEX threads_url ON threads(url);
