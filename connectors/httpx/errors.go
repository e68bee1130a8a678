package httpx

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/conflux-dev/conflux/connectors"
)

// APIError is a non-2xx answer that retries did not cure.
type APIError struct {
	Vendor string
	Method string
	Path   string // never the query: it may carry credentials
	Status int
	// Body is the start of the response body, for the user to read.
	Body string
	// RetryAfter is the vendor's requested wait in seconds when it exceeded the cap.
	RetryAfter int
	// Header is the response's headers (quota headers, for the connector to explain).
	Header http.Header
}

func newAPIError(vendor string, req *http.Request, resp *http.Response, body []byte) *APIError {
	e := &APIError{Vendor: vendor, Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Header: resp.Header}
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 300 {
		snippet = snippet[:300] + "…"
	}
	e.Body = snippet
	if v := resp.Header.Get("X-Conflux-Retry-After-Exceeded"); v != "" {
		fmt.Sscan(v, &e.RetryAfter)
	}
	return e
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %s %s: HTTP %d", e.Vendor, e.Method, e.Path, e.Status)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (the vendor asked to wait %ds, longer than Conflux waits; run again later)", e.RetryAfter)
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is lets callers test errors.Is(err, connectors.ErrAuth) and friends.
func (e *APIError) Is(target error) bool {
	switch target {
	case connectors.ErrAuth:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case connectors.ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}
