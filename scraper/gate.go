package scraper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// HostPausedError is returned, without contacting the host, for a request to a host
// that asked (with Retry-After on a 429 or 503) not to be asked again before Until,
// when that is further away than a fetch waits (FetchConfig.MaxRetryWait).
type HostPausedError struct {
	Host  string
	Until time.Time
}

func (e *HostPausedError) Error() string {
	return fmt.Sprintf("%s asked for no requests until %s (Retry-After); not asked meanwhile",
		e.Host, e.Until.UTC().Format(time.RFC3339))
}

const (
	// maxSlow caps the slow-down after 429/503 answers: the delay times 16.
	maxSlow = 16
	// slowDecay is taken off the slow-down by each successful answer: one 429 doubles
	// the delay, and about 7 successes bring it back.
	slowDecay = 0.9
)

// hostGates is a Fetcher's politeness, per host: at most perHost requests in flight,
// a randomised pause between requests that is never below robots.txt's Crawl-delay, a
// slow-down after each 429/503 answer (retried or not) that decays with successes,
// and a pause of the whole host until the time a Retry-After asked for. Every request
// to a host passes its gate, in gateTransport: pages, robots.txt, retries and
// redirect hops alike.
type hostGates struct {
	mu      sync.Mutex
	delay   time.Duration
	perHost int
	// maxWait is the longest host pause a request waits out; beyond it requests to
	// the host fail at once with *HostPausedError.
	maxWait time.Duration
	// rnd draws the randomised spacing (tests pin it); nil is math/rand.
	rnd   func(int64) int64
	hosts map[string]*hostGate
}

type hostGate struct {
	sem         chan struct{}
	mu          sync.Mutex
	last        time.Time     // when the last answer was read
	next        time.Time     // no request starts before
	pausedUntil time.Time     // Retry-After: no request starts before, whatever the spacing
	minDelay    time.Duration // robots.txt Crawl-delay
	slow        float64       // spacing multiplier, 1 = normal
	throttles   uint64        // 429/503 answers seen
}

func newHostGates(delay time.Duration, perHost int, maxWait time.Duration) *hostGates {
	return &hostGates{delay: delay, perHost: perHost, maxWait: maxWait, hosts: map[string]*hostGate{}}
}

func (g *hostGates) host(h string) *hostGate {
	g.mu.Lock()
	defer g.mu.Unlock()
	hg := g.hosts[h]
	if hg == nil {
		hg = &hostGate{sem: make(chan struct{}, g.perHost), slow: 1}
		g.hosts[h] = hg
	}
	return hg
}

// gap is the pause after an answer from the host. Callers hold hg.mu.
func (g *hostGates) gap(hg *hostGate) time.Duration {
	d := spacing(g.delay, hg.minDelay, g.rnd)
	d = time.Duration(float64(d) * hg.slow)
	if d == 0 && hg.slow > 1 {
		d = time.Duration(hg.slow*100) * time.Millisecond
	}
	return d
}

// setMinDelay makes the host's Crawl-delay the floor of its spacing, from the last
// answer on: the robots.txt request that brought the Crawl-delay counts as one.
func (g *hostGates) setMinDelay(h string, d time.Duration) {
	hg := g.host(h)
	hg.mu.Lock()
	defer hg.mu.Unlock()
	if d == hg.minDelay {
		return
	}
	hg.minDelay = d
	if hg.last.IsZero() {
		return
	}
	if next := hg.last.Add(g.gap(hg)); next.After(hg.next) {
		hg.next = next
	}
}

// ready waits until a request to the host may start: the spacing since the last
// answer has passed and the host is not paused. A pause longer than maxWait is not
// waited out: ready returns *HostPausedError at once.
func (g *hostGates) ready(ctx context.Context, h string) error {
	return g.wait(ctx, h, g.host(h))
}

func (g *hostGates) wait(ctx context.Context, h string, hg *hostGate) error {
	for {
		hg.mu.Lock()
		paused, until := hg.pausedUntil, hg.next
		hg.mu.Unlock()
		if paused.After(until) {
			until = paused
		}
		now := time.Now()
		if paused.Sub(now) > g.maxWait {
			return &HostPausedError{Host: h, Until: paused}
		}
		d := until.Sub(now)
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		// Look again: an answer meanwhile may have paused the host further.
	}
}

// acquire takes one of the host's in-flight slots once a request may start; release
// records the answer (status 0 for none) and frees the slot. A 429 or 503 slows the
// host down and its Retry-After pauses the host; a success answered while no other
// request was throttled takes some of the slow-down off.
func (g *hostGates) acquire(ctx context.Context, h string) (release func(status int, hdr http.Header), err error) {
	hg := g.host(h)
	select {
	case hg.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := g.wait(ctx, h, hg); err != nil {
		<-hg.sem
		return nil, err
	}
	hg.mu.Lock()
	seen := hg.throttles
	hg.mu.Unlock()
	return func(status int, hdr http.Header) {
		hg.mu.Lock()
		now := time.Now()
		switch {
		case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
			hg.throttles++
			hg.slow = min(hg.slow*2, maxSlow)
			if ra := retryAfter(hdr, now); ra > 0 && now.Add(ra).After(hg.pausedUntil) {
				hg.pausedUntil = now.Add(ra)
			}
		case status > 0 && status < 400 && hg.throttles == seen:
			hg.slow = max(hg.slow*slowDecay, 1)
		}
		hg.last = now
		hg.next = now.Add(g.gap(hg))
		hg.mu.Unlock()
		<-hg.sem
	}, nil
}

// gateTransport sends each attempt through its host's gate and reads the whole body
// before the attempt counts as answered, so a connection cut mid-body is an error of
// the attempt that the retry policy retries like any other network error (colly reads
// bodies after the retrying client has returned, where no retry happens). The timeout
// covers one attempt, headers and body, and starts after the gate's wait.
type gateTransport struct {
	next    http.RoundTripper
	gates   *hostGates
	timeout time.Duration
	// maxBody is the most bytes read of a body: one more than a page may have, so the
	// fetcher tells a too-large page from an exact fit.
	maxBody int64
}

func (t *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := t.gates.acquire(req.Context(), req.URL.Host)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	res, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		release(0, nil)
		return nil, err
	}
	body, err := readBody(res.Body, res.ContentLength, t.maxBody)
	res.Body.Close()
	if err != nil {
		release(0, nil)
		return nil, fmt.Errorf("reading the body (%d bytes read): %w", len(body), err)
	}
	release(res.StatusCode, res.Header)
	res.Request = req // not the copy whose timeout ends with this call
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	return res, nil
}

// bodyBufs holds the buffers bodies are read into: io.ReadAll grows a slice from 512
// bytes by doubling, copying a 60 KB page about seven times, which cost 2% of a local
// crawl's CPU. A pooled buffer is already large enough, and the page is copied once.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer put back into bodyBufs, so that one huge page
// does not stay in memory for the life of the process.
const maxPooledBody = 4 << 20

// readBody reads at most limit bytes of r into a slice of their exact length. hint is
// the Content-Length, -1 when unknown.
func readBody(r io.Reader, hint, limit int64) ([]byte, error) {
	buf := bodyBufs.Get().(*bytes.Buffer)
	buf.Reset()
	if hint > 0 {
		buf.Grow(int(min(hint, limit)) + bytes.MinRead) // + MinRead: ReadFrom then sees EOF without growing
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	body := bytes.Clone(buf.Bytes())
	if buf.Cap() <= maxPooledBody {
		bodyBufs.Put(buf)
	}
	return body, err
}
