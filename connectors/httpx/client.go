package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// Options configures a Client. Zero values take the documented defaults.
type Options struct {
	Vendor  string // used in errors: "harvest: GET /v2/users: 401 ..."
	BaseURL string // scheme, host and path prefix, e.g. https://api.harvestapp.com/v2
	// Auth decorates every request with credentials and vendor headers.
	Auth func(*http.Request)
	// TokenSource, when set, adds an OAuth2 bearer token to every request;
	// a token it cannot give fails the request.
	TokenSource oauth2.TokenSource
	// Rate and Burst set the token bucket; Rate 0 disables it.
	Rate      rate.Limit
	Burst     int
	Retry     RetryPolicy
	Logger    *slog.Logger
	Transport http.RoundTripper // default http.DefaultTransport
}

// Client issues requests against one vendor API.
type Client struct {
	vendor string
	base   *url.URL
	http   *http.Client
}

// New builds the layered client.
func New(o Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("%s: base_url %q is not an absolute URL (example: https://api.example.com/v2)", o.Vendor, o.BaseURL)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var rt http.RoundTripper = o.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	rt = &logTransport{next: rt, log: logger.With("vendor", o.Vendor)}
	if o.Rate > 0 {
		burst := o.Burst
		if burst < 1 {
			burst = 1
		}
		rt = &rateTransport{next: rt, limiter: rate.NewLimiter(o.Rate, burst)}
	}
	rt = &retryTransport{next: rt, policy: o.Retry.withDefaults(), log: logger.With("vendor", o.Vendor)}
	if o.Auth != nil || o.TokenSource != nil {
		rt = &authTransport{next: rt, auth: o.Auth, tokens: o.TokenSource}
	}
	// The overall bound is generous: retries may wait out a Retry-After.
	return &Client{vendor: o.Vendor, base: base, http: &http.Client{Transport: rt, Timeout: 10 * time.Minute}}, nil
}

// Resolve turns a path relative to the base URL (with or without a query)
// into an absolute URL on the configured host.
func (c *Client) Resolve(pathAndQuery string) (*url.URL, error) {
	ref, err := url.Parse(pathAndQuery)
	if err != nil {
		return nil, fmt.Errorf("%s: bad request path %q: %w", c.vendor, pathAndQuery, err)
	}
	u := *c.base
	u.Path = c.base.Path + "/" + strings.TrimLeft(ref.Path, "/")
	u.RawQuery = ref.RawQuery
	return &u, nil
}

// Response is a 2xx answer: its body and headers (some vendors page with headers).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches pathAndQuery (relative to the base URL) and returns the body
// of a 2xx response. Any other status after retries is an *APIError.
func (c *Client) Get(ctx context.Context, pathAndQuery string) ([]byte, error) {
	resp, err := c.Do(ctx, http.MethodGet, pathAndQuery, "", nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// DoHeaders sends a GET with extra request headers (If-Modified-Since).
func (c *Client) DoHeaders(ctx context.Context, method, pathAndQuery string, headers map[string]string) (*Response, error) {
	return c.send(ctx, method, pathAndQuery, "", nil, headers)
}

// Do sends one request; body may be nil. It is retried like any request:
// a read-only POST (a search) is as safe to repeat as a GET.
func (c *Client) Do(ctx context.Context, method, pathAndQuery, contentType string, body []byte) (*Response, error) {
	return c.send(ctx, method, pathAndQuery, contentType, body, nil)
}

func (c *Client) send(ctx context.Context, method, pathAndQuery, contentType string, body []byte, headers map[string]string) (*Response, error) {
	u, err := c.Resolve(pathAndQuery)
	if err != nil {
		return nil, err
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.vendor, err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", c.vendor, req.Method, req.URL.Path, ctxErr)
		}
		return nil, fmt.Errorf("%s: %s %s: %w", c.vendor, req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: read body: %w", c.vendor, req.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(c.vendor, req, resp, data)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

type authTransport struct {
	next   http.RoundTripper
	auth   func(*http.Request)
	tokens oauth2.TokenSource
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if t.auth != nil {
		t.auth(r)
	}
	if t.tokens == nil {
		return t.next.RoundTrip(r)
	}
	tok, err := t.tokens.Token()
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := t.next.RoundTrip(r)
	store, ok := t.tokens.(interface{ Invalidate(string) })
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !ok {
		return resp, err
	}
	// A 401 on a token we thought valid: refresh once and try once more.
	drain(resp)
	store.Invalidate(tok.AccessToken)
	if tok, err = t.tokens.Token(); err != nil {
		return nil, err
	}
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	if t.auth != nil {
		t.auth(again)
	}
	again.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.next.RoundTrip(again)
}

type rateTransport struct {
	next    http.RoundTripper
	limiter *rate.Limiter
}

func (t *rateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(req.Context()); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(req)
}

type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs := []any{"method", req.Method, "path", req.URL.Path, "duration_ms", time.Since(start).Milliseconds()}
	if err != nil {
		t.log.Debug("http request failed", append(attrs, "error", err)...)
		return nil, err
	}
	t.log.Debug("http request", append(attrs, "status", resp.StatusCode)...)
	return resp, nil
}
