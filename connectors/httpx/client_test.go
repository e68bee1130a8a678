package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{"0", 0, true},
		{"Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 Jan 2025 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-3", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for attempt := 1; attempt < 10; attempt++ {
		d := p.backoff(attempt)
		window := min(p.BaseDelay<<attempt, p.MaxDelay)
		if d < window/2 || d > window {
			t.Errorf("attempt %d: %v outside [%v, %v]", attempt, d, window/2, window)
		}
	}
}

func newClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Options{Vendor: "acme", BaseURL: srv.URL + "/v1", Retry: RetryPolicy{BaseDelay: time.Millisecond, MaxAttempts: 3},
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer secret-token") }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetriesThenTypedErrorWithoutSecrets(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer secret-token" || r.URL.Path != "/v1/things" {
			t.Errorf("auth or path lost: %s", r.URL.Path)
		}
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("upstream down"))
	})
	_, err := c.Get(context.Background(), "/things?access_token=secret-token")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 502 || calls.Load() != 3 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error leaks the credential: %v", err)
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	})
	_, err := c.Get(context.Background(), "/x")
	if !errors.Is(err, connectors.ErrAuth) || calls.Load() != 1 {
		t.Errorf("401: %v after %d calls", err, calls.Load())
	}
}

func TestCancellationStopsWaiting(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, "/x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

func TestTokenBucketPacesRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, _ := New(Options{Vendor: "acme", BaseURL: srv.URL, Rate: 20, Burst: 1})
	start := time.Now()
	for range 5 {
		if _, err := c.Get(context.Background(), "/"); err != nil {
			t.Fatal(err)
		}
	}
	// 5 requests at 20/s with a burst of 1 need at least 4 intervals of 50ms.
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("5 requests took %v; the bucket did not pace them", d)
	}
}
