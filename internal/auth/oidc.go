package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC signs people in with the agency's identity provider (Google
// Workspace, Microsoft Entra, any OpenID Connect issuer): the provider is
// found by discovery, ID tokens are verified against its keys, and only
// verified addresses of the allowed domains pass.
type OIDC struct {
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
	allowed  []string
}

// NewOIDC discovers issuer and prepares the code flow back to redirect.
func NewOIDC(ctx context.Context, issuer, clientID, clientSecret, redirect string, allowedDomains []string) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("server.oidc.issuer %s: discovery failed: %w", issuer, err)
	}
	return &OIDC{
		config: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: p.Endpoint(), RedirectURL: redirect,
			Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: clientID}),
		allowed:  allowedDomains,
	}, nil
}

// AuthURL is where the browser goes to sign in; state and nonce tie the
// answer to this attempt, verifier is the PKCE secret kept in a cookie.
func (o *OIDC) AuthURL(state, nonce, verifier string) string {
	return o.config.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
}

// ErrNotAllowed means the provider vouched for someone this agency does
// not let in.
var ErrNotAllowed = errors.New("that account may not sign in here")

// Email exchanges the code, verifies the ID token (signature, issuer,
// audience, expiry, nonce) and returns the verified email address.
func (o *OIDC) Email(ctx context.Context, code, verifier, nonce string) (string, error) {
	tok, err := o.config.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("sign-in: the provider refused the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", errors.New("sign-in: the provider sent no ID token")
	}
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("sign-in: the ID token does not verify: %w", err)
	}
	if id.Nonce != nonce {
		return "", errors.New("sign-in: the ID token answers another attempt")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
		HostedDomain  string `json:"hd"`
		PreferredName string `json:"preferred_username"`
	}
	if err := id.Claims(&claims); err != nil {
		return "", err
	}
	email := strings.ToLower(claims.Email)
	if email == "" { // Entra sends the address as preferred_username when email is not released
		email = strings.ToLower(claims.PreferredName)
	}
	if email == "" || (claims.EmailVerified != nil && !*claims.EmailVerified) {
		return "", fmt.Errorf("%w: the provider did not vouch for an email address", ErrNotAllowed)
	}
	domain := email[strings.LastIndex(email, "@")+1:]
	if len(o.allowed) > 0 && !slices.Contains(o.allowed, domain) {
		return "", fmt.Errorf("%w: %s is not in server.oidc.allowed_domains", ErrNotAllowed, domain)
	}
	return email, nil
}
