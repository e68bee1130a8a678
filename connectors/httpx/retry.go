package httpx

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds the retries of one request (one page, never a stream).
type RetryPolicy struct {
	MaxAttempts   int           // default 5
	BaseDelay     time.Duration // first back-off; doubles each attempt; default 500ms
	MaxDelay      time.Duration // cap of one back-off; default 30s
	MaxRetryAfter time.Duration // a longer Retry-After fails instead of waiting; default 2m
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	return p
}

// backoff is full jitter over an exponentially growing window.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	window := p.BaseDelay << min(attempt, 20)
	if window > p.MaxDelay || window <= 0 {
		window = p.MaxDelay
	}
	return window/2 + rand.N(window/2+1)
}

type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
	log    *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.next.RoundTrip(r)
		last := attempt >= t.policy.MaxAttempts
		var wait time.Duration
		switch {
		case err != nil:
			var dns *net.DNSError
			if errors.As(err, &dns) && dns.IsNotFound {
				// An unknown host stays unknown: say so at once, never retry it.
				return nil, fmt.Errorf("cannot resolve %s (no such host): check the network, or the source's base_url: %w", dns.Name, err)
			}
			if ctx.Err() != nil || last {
				return nil, err
			}
			wait = t.policy.backoff(attempt)
			t.log.Warn("request failed, retrying", "path", req.URL.Path, "attempt", attempt, "error", err, "wait", wait)
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				ra = t.policy.backoff(attempt)
			}
			if last {
				return resp, nil
			}
			if ra > t.policy.MaxRetryAfter {
				// Waiting this long would stall a sync silently; fail with the vendor's number.
				resp.Header.Set("X-Conflux-Retry-After-Exceeded", strconv.Itoa(int(ra.Seconds())))
				return resp, nil
			}
			wait = ra
			drain(resp)
			t.log.Warn("rate limited, waiting", "path", req.URL.Path, "status", resp.StatusCode, "wait", wait)
		case resp.StatusCode >= 500:
			if last {
				return resp, nil
			}
			drain(resp)
			wait = t.policy.backoff(attempt)
			t.log.Warn("server error, retrying", "path", req.URL.Path, "status", resp.StatusCode, "attempt", attempt, "wait", wait)
		default:
			return resp, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
