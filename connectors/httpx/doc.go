// Package httpx is the one HTTP client every connector uses. It is built from
// RoundTripper layers, outermost first: auth → retry → rate limit → logging.
// Retry sits outside the token bucket so that every attempt, retries
// included, spends a token at the vendor's documented rate.
package httpx
