package scraper

import (
	"context"
	"time"
)

// ItemKind says what a frontier URL is expected to be.
type ItemKind string

// Frontier item kinds.
const (
	KindListing ItemKind = "listing" // a board, forum index or site root
	KindThread  ItemKind = "thread"
)

// FrontierItem is one URL waiting in a crawl.
type FrontierItem struct {
	ID       int64
	URL      string
	Kind     ItemKind
	Depth    int
	Attempts int
	// Entry is the listing entry that queued a thread; stored with the thread once it
	// is archived so the next crawl can tell whether it changed.
	Entry *ThreadEntry
}

// FrontierCounts sizes a crawl's frontier.
type FrontierCounts struct {
	Pending  int `json:"pending"`
	Deferred int `json:"deferred"` // pending, but not before a later time
	Leased   int `json:"leased"`
	Done     int `json:"done"`
	Failed   int `json:"failed"`
}

// Frontier is a crawl's durable to-do list. Items are leased, not removed, so work
// taken by a process that dies is taken again after the lease. The store implements it
// in SQLite; a PostgreSQL implementation (SELECT ... FOR UPDATE SKIP LOCKED) would let
// several machines share one crawl without any other change.
type Frontier interface {
	// Add queues items, ignoring URLs this crawl already has.
	Add(ctx context.Context, items []FrontierItem) (added int, err error)
	// Lease takes up to n items of the given kinds that are due, for ttl.
	Lease(ctx context.Context, n int, ttl time.Duration, kinds ...ItemKind) ([]FrontierItem, error)
	// Done marks an item finished.
	Done(ctx context.Context, id int64) error
	// Defer returns an item to the queue, not to be taken before until.
	Defer(ctx context.Context, id int64, until time.Time, cause error) error
	// Fail marks an item failed for this crawl pass.
	Fail(ctx context.Context, id int64, cause error) error
	// Release returns items still leased to the queue at once: a crawl stopping with
	// work in flight gives it back instead of leaving it to the lease's expiry.
	Release(ctx context.Context, ids []int64) error
	// Counts sizes the frontier.
	Counts(ctx context.Context) (FrontierCounts, error)
}

// ListingState remembers what listings said about threads, making re-crawls
// incremental: a thread whose listing entry is unchanged since it was last archived
// completely is not fetched at all.
type ListingState interface {
	// ThreadsChanged records a listing page's entries as seen and reports, entry by
	// entry, whether the thread needs fetching: never archived, or replies / last post
	// differ from the archived values. One call per listing page lets the store
	// write them together.
	ThreadsChanged(ctx context.Context, site string, es []ThreadEntry) ([]bool, error)
	// ThreadArchived records the entry's values as archived.
	ThreadArchived(ctx context.Context, site string, e ThreadEntry) error
}

// ArchivedDoner is a Frontier that can also record a thread's listing entry as
// archived (ListingState.ThreadArchived) and the thread's item done in one
// transaction, when both live in one database: one commit less per thread, and no
// moment where one is recorded without the other. The crawl uses it when the
// frontier has it.
type ArchivedDoner interface {
	// DoneArchived reports false, having written nothing, when ls is not kept in the
	// frontier's database.
	DoneArchived(ctx context.Context, ls ListingState, id int64, site string, e ThreadEntry) (bool, error)
}
