-- 0005: lease frontier items straight from an index. A lease takes the oldest due
-- pending item of a kind (listings before threads); with only frontier_take, every
-- lease sorted all pending rows, a cost that grows with the crawl (quadratic over a
-- whole board). With this index it reads the first matching entries in id order.
CREATE INDEX frontier_lease ON frontier(crawl_key, state, kind, id);
