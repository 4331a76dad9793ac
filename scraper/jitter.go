package scraper

import (
	"math/rand/v2"
	"time"
)

// jitter spreads d uniformly over [0.5d, 1.5d), as Scrapy's RANDOMIZE_DOWNLOAD_DELAY
// does, so a crawl does not hit a site on a fixed beat.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}
