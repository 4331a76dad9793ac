-- 0010: a thread whose posts were found renumbered needs a walk from page 1. A resumed
-- walk that sees the first archived post of a later page under another number knows
-- that posts before it were deleted or inserted; the page is saved with the new
-- numbers, so once that walk is over the evidence is gone from the posts. SavePage
-- records it here in the same transaction (the time it was first seen); the next
-- walk of the thread starts at page 1 instead of resuming, and a complete walk from
-- page 1 clears it together with marking the posts it did not see. NULL: nothing
-- pending (and on rows written before this migration).
ALTER TABLE threads ADD COLUMN full_walk_needed_at TEXT;
