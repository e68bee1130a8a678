package dashboards

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/internal/access"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

const (
	sessionCookie = "conflux_session"
	oidcCookie    = "conflux_oidc"
)

type ctxKey int

const (
	viewerKey ctxKey = iota
	nonceKey
	csrfKey
)

// viewerOf is who a request reads as (set by ServeHTTP).
func viewerOf(ctx context.Context) access.Viewer {
	if v, ok := ctx.Value(viewerKey).(access.Viewer); ok {
		return v
	}
	return access.Viewer{}
}

func nonceOf(ctx context.Context) string { s, _ := ctx.Value(nonceKey).(string); return s }
func csrfOf(ctx context.Context) string  { s, _ := ctx.Value(csrfKey).(string); return s }

// ServeHTTP is the one door every request passes: security headers, who
// is asking (session, API token, the CLI's hand-over, or everyone when
// sign-in is off), whether they may use the route, the CSRF check of every
// POST, and the viewer every read below is narrowed by.
// Responses are compressed (gzip or zstd) for clients that accept it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.compressed.ServeHTTP(w, r)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	nonce := auth.Random(16)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
	ctx := context.WithValue(r.Context(), nonceKey, nonce)
	_, pattern := s.mux.Handler(r)
	rt, known := s.routeByPattern[pattern]
	if !known || rt.Open {
		if r.Method == http.MethodPost && !s.sameOrigin(r) {
			s.fail(w, r, http.StatusForbidden, errCrossOrigin)
			return
		}
		s.mux.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	v, csrf, bearer, err := s.authenticate(r)
	if err != nil {
		if strings.HasPrefix(r.URL.Path, "/api/") || r.Method != http.MethodGet {
			s.fail(w, r, http.StatusUnauthorized, err)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	// A browser sends its cookie with a cross-site form; a script's bearer
	// token it never sends by itself, so only cookie-borne POSTs need the
	// origin and token checks.
	if r.Method == http.MethodPost && !bearer {
		if !s.sameOrigin(r) {
			s.fail(w, r, http.StatusForbidden, errCrossOrigin)
			return
		}
		if r.PostFormValue("csrf") == "" || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(csrf)) != 1 {
			s.fail(w, r, http.StatusForbidden, errors.New("stale page: reload it and try again"))
			return
		}
	}
	if rt.May != nil && !rt.May(v, r) {
		s.fail(w, r, http.StatusForbidden, fmt.Errorf("a %s may not open this page; ask an admin", v.Role))
		return
	}
	ctx = context.WithValue(ctx, viewerKey, v)
	ctx = context.WithValue(ctx, csrfKey, csrf)
	if rt.Cached && r.Method == http.MethodGet {
		tag := s.etag(ctx, r.URL.RequestURI())
		if ifNoneMatch(r.Header.Get("If-None-Match"), tag) {
			// The browser keeps the page and the headers it came with; a
			// new script nonce here would not match the page's.
			h.Del("Content-Security-Policy")
			h.Set("ETag", tag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("ETag", tag)
		h.Set("Cache-Control", "private, no-cache")
		w = validatedOnlyWhenOK{w}
	}
	s.mux.ServeHTTP(w, r.WithContext(ctx))
	if rt.Changes {
		s.cache.Changed()
	}
}

// validatedOnlyWhenOK drops a page's ETag from any answer but 200: a
// browser that kept an error with it would be told 304 and show the error
// until the data changed.
type validatedOnlyWhenOK struct{ http.ResponseWriter }

func (w validatedOnlyWhenOK) WriteHeader(status int) {
	if status != http.StatusOK {
		w.Header().Del("ETag")
		w.Header().Del("Cache-Control")
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w validatedOnlyWhenOK) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ifNoneMatch says whether an If-None-Match header names tag (weakly: a
// compressed copy is the same page).
func ifNoneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

var errCrossOrigin = errors.New("refused: the form was posted from another site")

// authenticate finds who is asking: the CLI's hand-over credential or an
// API token as a bearer, a session cookie, or everyone when sign-in is off.
// csrf is the token the viewer's forms carry.
func (s *Server) authenticate(r *http.Request) (v access.Viewer, csrf string, bearer bool, err error) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if s.opts.Token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) == 1 {
			cli := access.Local
			cli.Email = "cli"
			return cli, "", true, nil
		}
		if s.opts.Users != nil && strings.HasPrefix(tok, auth.TokenPrefix) {
			u, name, err := s.opts.Users.TokenUser(r.Context(), tok)
			if err == nil {
				v := access.FromUser(u)
				v.Token = name
				return v, "", true, nil
			}
		}
		return v, "", true, errors.New("that bearer token is not valid (revoked, or mistyped)")
	}
	if s.opts.Auth == config.AuthNone || s.opts.Auth == "" {
		return access.Local, s.anonymousCSRF(), false, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || s.opts.Users == nil {
		return v, "", false, errors.New("sign in first (GET /login)")
	}
	sess, err := s.opts.Users.Session(r.Context(), c.Value)
	if err != nil {
		return v, "", false, err
	}
	return access.FromUser(sess.User), sess.CSRF, false, nil
}

// anonymousCSRF is the forms' token when sign-in is off: a keyed hash a
// page from this server carries and no other site can read or make.
func (s *Server) anonymousCSRF() string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("no sign-in"))
	return hex.EncodeToString(m.Sum(nil))
}

// sameOrigin reports whether a POST came from one of this server's own
// pages: its Origin (else Referer) is the address it was sent to, or the
// public URL.
func (s *Server) sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" || from == "null" {
		from = r.Header.Get("Referer")
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	if s.opts.PublicURL != "" {
		if p, err := url.Parse(s.opts.PublicURL); err == nil && p.Host == u.Host {
			return true
		}
	}
	return false
}

// reader is what the request reads through: the warehouse for a viewer
// with every right, else the warehouse as the viewer's restriction lets
// them see it.
func (s *Server) reader(ctx context.Context) (warehouse.Querier, error) {
	r := viewerOf(ctx).Restriction()
	if r == nil {
		return s.opts.Warehouse, nil
	}
	return s.opts.Warehouse.Restricted(ctx, r)
}

// clientAddress is who sent the request: the peer, or, when the peer is a
// reverse proxy on this machine (a loopback address), the last address the
// proxy put in X-Forwarded-For. Headers from any other peer are ignored, so
// no one can pick the address their failed sign-ins count against.
func clientAddress(r *http.Request) string {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	ip := net.ParseIP(addr)
	if ip == nil || !ip.IsLoopback() {
		return addr
	}
	fwd := r.Header.Values("X-Forwarded-For")
	if len(fwd) == 0 {
		return addr
	}
	hops := strings.Split(fwd[len(fwd)-1], ",")
	if last := strings.TrimSpace(hops[len(hops)-1]); net.ParseIP(last) != nil {
		return last
	}
	return addr
}

// audit records what the viewer did; a failure to record is logged, never
// shown.
func (s *Server) audit(r *http.Request, actor, action, detail string) {
	if s.opts.Users == nil {
		return
	}
	addr := clientAddress(r)
	if err := s.opts.Users.Audit(r.Context(), auth.Entry{Actor: actor, Action: action, Detail: detail, Address: addr}); err != nil {
		s.log.Error("audit", "action", action, "error", err)
	}
}

type loginView struct {
	pageView
	Next, Error, Email string
	Local, OIDC        bool
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if s.opts.Auth == config.AuthNone || s.opts.Auth == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	v := loginView{pageView: pageView{Title: "Sign in", Org: s.opts.Org, Nonce: nonceOf(r.Context()), SignedOut: true},
		Next: safeNext(r.FormValue("next")), Error: msg, Email: email,
		Local: s.opts.Auth == config.AuthLocal, OIDC: s.opts.Auth == config.AuthOIDC}
	w.WriteHeader(status)
	s.render(w, r, "login", v)
}

// safeNext keeps a redirect after sign-in on this server.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

// handleLogin signs in with email and password. Unknown accounts and wrong
// passwords get the same answer; attempts are limited per account and per
// address.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.opts.Auth != config.AuthLocal || s.opts.Users == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("this server signs in another way"))
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	addr := clientAddress(r)
	keys := []string{"account:" + email, "address:" + addr}
	if s.limiter.Blocked(keys...) {
		s.audit(r, email, "sign-in refused", "too many attempts")
		s.renderLogin(w, r, http.StatusTooManyRequests, email, "Too many attempts: wait a few minutes and try again.")
		return
	}
	u, err := s.opts.Users.CheckPassword(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		s.limiter.Failed(keys...)
		s.audit(r, email, "sign-in failed", "")
		s.renderLogin(w, r, http.StatusUnauthorized, email, "Wrong email or password.")
		return
	}
	s.startSession(w, r, u.Email, "password")
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, email, how string) {
	id, err := s.opts.Users.NewSession(r.Context(), email, s.opts.SessionTTL)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.opts.SessionTTL.Seconds())})
	s.audit(r, email, "sign-in", how)
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && s.opts.Users != nil {
		s.opts.Users.EndSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.opts.Secure, SameSite: http.SameSiteLaxMode})
	s.audit(r, viewerOf(r.Context()).Actor(), "sign-out", "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// oidcState is what the browser carries through the provider: the state
// and nonce that tie the answer to this attempt, the PKCE verifier, and
// where to go after. It rides in a signed cookie.
type oidcState struct {
	State, Nonce, Verifier, Next string
	Expires                      time.Time
}

func (s *Server) sign(b []byte) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) unsign(v string) ([]byte, bool) {
	body, mac, ok := strings.Cut(v, ".")
	if !ok {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, false
	}
	return b, hmac.Equal([]byte(s.sign(b)), []byte(body+"."+mac))
}

func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	if s.opts.OIDC == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("this server signs in another way"))
		return
	}
	st := oidcState{State: auth.Random(16), Nonce: auth.Random(16), Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.FormValue("next")),
		Expires: time.Now().Add(10 * time.Minute)}
	b, _ := json.Marshal(st)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: s.sign(b), Path: "/auth/oidc/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, s.opts.OIDC.AuthURL(st.State, st.Nonce, st.Verifier), http.StatusSeeOther)
}

func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	if s.opts.OIDC == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("this server signs in another way"))
		return
	}
	c, err := r.Cookie(oidcCookie)
	var st oidcState
	if err == nil {
		if b, ok := s.unsign(c.Value); ok {
			json.Unmarshal(b, &st)
		}
	}
	if st.State == "" || time.Now().After(st.Expires) || r.FormValue("state") != st.State {
		s.renderLogin(w, r, http.StatusBadRequest, "", "The sign-in took too long or came from elsewhere: try again.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1})
	if e := r.FormValue("error"); e != "" {
		s.renderLogin(w, r, http.StatusUnauthorized, "", "The identity provider did not sign you in ("+e+").")
		return
	}
	email, err := s.opts.OIDC.Email(r.Context(), r.FormValue("code"), st.Verifier, st.Nonce)
	if err != nil {
		s.audit(r, email, "sign-in failed", "oidc")
		s.log.Warn("oidc sign-in failed", "error", err)
		msg := "The sign-in did not verify: try again."
		if errors.Is(err, auth.ErrNotAllowed) {
			msg = "That account may not sign in here."
		}
		s.renderLogin(w, r, http.StatusForbidden, "", msg)
		return
	}
	if _, err := s.opts.Users.User(r.Context(), email); err != nil {
		s.audit(r, email, "sign-in failed", "oidc: no such user")
		s.renderLogin(w, r, http.StatusForbidden, "", email+" has no access yet: ask an admin to run `conflux users add "+email+" --role …`.")
		return
	}
	r.Form.Set("next", st.Next)
	s.startSession(w, r, email, "oidc")
}

type auditView struct {
	pageView
	Since   string
	Entries []auth.Entry
}

// handleAudit shows admins the audit log (?since=7d).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	since := r.URL.Query().Get("since")
	if since == "" {
		since = "7d"
	}
	d, err := config.ParseDuration(since)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("since=%q: write 24h or 7d", since))
		return
	}
	v := auditView{pageView: s.pageView(r.Context(), "Audit log"), Since: since}
	if s.opts.Users != nil {
		if v.Entries, err = s.opts.Users.AuditLog(r.Context(), time.Now().Add(-d)); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
	}
	s.render(w, r, "audit", v)
}

// AdminRequest is the body of POST /api/admin/{op}: what the CLI's users,
// tokens and audit commands ask a running server to do.
type AdminRequest struct {
	Email    string   `json:"email,omitempty"`
	Role     string   `json:"role,omitempty"`
	Clients  []string `json:"clients,omitempty"`
	Teams    []string `json:"teams,omitempty"`
	Password string   `json:"password,omitempty"`
	Name     string   `json:"name,omitempty"`
	Since    string   `json:"since,omitempty"`
}

// handleAdmin runs one of the CLI's users, tokens or audit commands on the
// warehouse this server holds; the answer is JSON, the error a message.
func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	if s.opts.Users == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("this server keeps no users"))
		return
	}
	var req AdminRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("body: %w", err))
		return
	}
	out, err := Admin(r.Context(), s.opts.Users, r.PathValue("op"), req)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	s.audit(r, viewerOf(r.Context()).Actor(), r.PathValue("op"), AdminDetail(r.PathValue("op"), req))
	writeJSON(w, http.StatusOK, out)
}

// adminDetail describes an admin operation for the audit log, without the
// password.
func AdminDetail(op string, req AdminRequest) string {
	parts := []string{}
	for k, v := range map[string]string{"email": req.Email, "role": req.Role, "name": req.Name} {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	if len(req.Clients) > 0 {
		parts = append(parts, "clients="+strings.Join(req.Clients, ","))
	}
	if len(req.Teams) > 0 {
		parts = append(parts, "teams="+strings.Join(req.Teams, ","))
	}
	return strings.Join(parts, " ")
}

// Admin does one users, tokens or audit operation, here or for the
// hand-over: the CLI runs it itself when no server holds the warehouse.
func Admin(ctx context.Context, users *auth.Store, op string, req AdminRequest) (any, error) {
	switch op {
	case "users-add":
		return users.AddUser(ctx, auth.User{Email: req.Email, Role: req.Role, Clients: req.Clients, Teams: req.Teams}, req.Password)
	case "users-list":
		return users.Users(ctx)
	case "users-remove":
		return map[string]string{"removed": req.Email}, users.RemoveUser(ctx, req.Email)
	case "users-passwd":
		return map[string]string{"changed": req.Email}, users.SetPassword(ctx, req.Email, req.Password)
	case "tokens-create":
		tok, err := users.CreateToken(ctx, req.Email, req.Name)
		return map[string]string{"name": req.Name, "token": tok}, err
	case "tokens-list":
		return users.Tokens(ctx)
	case "tokens-revoke":
		return map[string]string{"revoked": req.Name}, users.RevokeToken(ctx, req.Name)
	case "audit":
		d, err := config.ParseDuration(req.Since)
		if err != nil {
			return nil, fmt.Errorf("--since %q: write 24h or 7d", req.Since)
		}
		return users.AuditLog(ctx, time.Now().Add(-d))
	}
	return nil, fmt.Errorf("no admin operation %q", op)
}

// queryRow reads one row through the viewer's restriction into dest;
// sql.ErrNoRows when there is none.
func (s *Server) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	q := query
	if r := viewerOf(ctx).Restriction(); r != nil {
		view, err := s.opts.Warehouse.Restricted(ctx, r)
		if err != nil {
			return err
		}
		q = view.Rewrite(query)
	}
	return s.opts.Warehouse.DB().QueryRowContext(ctx, q, args...).Scan(dest...)
}

// queryStrings reads one column of strings through the viewer's
// restriction.
// Lists change only with the data: each is read once per data version and
// viewer scope.
func (s *Server) queryStrings(ctx context.Context, query string) []string {
	r := viewerOf(ctx).Restriction()
	scope := ""
	if r != nil {
		scope = r.Name
	}
	return s.cache.remember("strings\x00"+scope+"\x00"+query, func() any {
		q := query
		if r != nil {
			view, err := s.opts.Warehouse.Restricted(ctx, r)
			if err != nil {
				return []string(nil)
			}
			q = view.Rewrite(query)
		}
		return strings1(s.opts.Warehouse.DB().QueryContext(ctx, q))
	}).([]string)
}
