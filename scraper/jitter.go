package scraper

import (
	"math/rand/v2"
	"time"
)

// jitter spreads d uniformly over [0.5d, 1.5d), as Scrapy's RANDOMIZE_DOWNLOAD_DELAY
// does, so a crawl does not hit a site on a fixed beat. rnd(n) returns a number in
// [0, n); nil means math/rand.
func jitter(d time.Duration, rnd func(int64) int64) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(randN(rnd, int64(d)))
}

// spacing is the pause between two requests to one host: delay randomised +/-50%, but
// never below floor (robots.txt's Crawl-delay), which randomness only adds to. When
// the floor is the larger of the two, the pause is spread over [floor, 1.5*floor).
func spacing(delay, floor time.Duration, rnd func(int64) int64) time.Duration {
	if floor <= 0 {
		return jitter(delay, rnd)
	}
	if floor >= delay {
		return floor + time.Duration(randN(rnd, int64(floor/2)))
	}
	return max(floor, jitter(delay, rnd))
}

func randN(rnd func(int64) int64, n int64) int64 {
	if n <= 0 {
		return 0
	}
	if rnd == nil {
		return rand.Int64N(n)
	}
	return rnd(n)
}
