package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles, one per user. What each may see and do is decided in
// internal/access.
const (
	Admin      = "admin"
	Finance    = "finance"
	Leadership = "leadership"
	Ops        = "ops"
	Lead       = "lead"
)

// Roles lists them, most powerful first.
var Roles = []string{Admin, Finance, Leadership, Ops, Lead}

// User is someone who may sign in.
type User struct {
	Email   string   `json:"email"`
	Role    string   `json:"role"`
	Clients []string `json:"clients,omitempty"` // a lead's clients (names or keys)
	Teams   []string `json:"teams,omitempty"`   // a lead's teams
	// Password says whether the user signs in with one (else only OIDC).
	Password bool      `json:"password"`
	Created  time.Time `json:"created"`
}

// Errors callers branch on.
var (
	// ErrBadCredentials is the one answer to an unknown account and a wrong
	// password alike, so a sign-in form tells nobody which accounts exist.
	ErrBadCredentials = errors.New("wrong email or password")
	ErrNoUser         = errors.New("no such user")
	ErrUserExists     = errors.New("a user with that email exists already (`conflux users passwd` changes a password)")
)

// MinPassword is the shortest password accepted.
const MinPassword = 12

// Store reads and writes the users, sessions, tokens and audit log.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// NewStore keeps its state in db's meta tables.
func NewStore(db *sql.DB) *Store { return &Store{db: db, now: time.Now} }

// normalize checks a user's fields and lower-cases the email.
func normalize(u User) (User, error) {
	addr, err := mail.ParseAddress(u.Email)
	if err != nil || addr.Address != strings.TrimSpace(u.Email) {
		return u, fmt.Errorf("%q is not an email address", u.Email)
	}
	u.Email = strings.ToLower(addr.Address)
	if !slices.Contains(Roles, u.Role) {
		return u, fmt.Errorf("role %q: use one of %s", u.Role, strings.Join(Roles, ", "))
	}
	if u.Role == Lead && len(u.Clients) == 0 && len(u.Teams) == 0 {
		return u, errors.New("a lead sees only their clients and teams: give --clients, --teams or both")
	}
	if u.Role != Lead && (len(u.Clients) > 0 || len(u.Teams) > 0) {
		return u, fmt.Errorf("only a lead is scoped to clients and teams; a %s sees every row", u.Role)
	}
	return u, nil
}

func hashPassword(password string) (string, error) {
	if len(password) < MinPassword {
		return "", fmt.Errorf("a password needs at least %d characters", MinPassword)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// AddUser adds u with password ("" for a user who signs in with OIDC only).
func (s *Store) AddUser(ctx context.Context, u User, password string) (User, error) {
	u, err := normalize(u)
	if err != nil {
		return u, err
	}
	var hash any
	if password != "" {
		h, err := hashPassword(password)
		if err != nil {
			return u, err
		}
		hash, u.Password = h, true
	}
	if _, err := s.User(ctx, u.Email); err == nil {
		return u, ErrUserExists
	}
	clients, _ := json.Marshal(u.Clients)
	teams, _ := json.Marshal(u.Teams)
	u.Created = s.now().UTC()
	_, err = s.db.ExecContext(ctx, `INSERT INTO meta.users VALUES (?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Role, string(clients), string(teams), hash, u.Created, u.Created)
	return u, err
}

// SetPassword replaces a user's password.
func (s *Store) SetPassword(ctx context.Context, email, password string) error {
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE meta.users SET password_hash = ?, updated_at = ? WHERE email = ?`, h, s.now().UTC(), strings.ToLower(email))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoUser
	}
	// A new password signs out every session of the old one.
	_, err = s.db.ExecContext(ctx, `DELETE FROM meta.sessions WHERE email = ?`, strings.ToLower(email))
	return err
}

// RemoveUser removes a user with their sessions and tokens.
func (s *Store) RemoveUser(ctx context.Context, email string) error {
	email = strings.ToLower(email)
	res, err := s.db.ExecContext(ctx, `DELETE FROM meta.users WHERE email = ?`, email)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoUser
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM meta.sessions WHERE email = ?`, email); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE meta.api_tokens SET revoked_at = ? WHERE email = ? AND revoked_at IS NULL`, s.now().UTC(), email)
	return err
}

// Users lists every user by email.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT email, role, clients, teams, password_hash IS NOT NULL, created_at FROM meta.users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User finds one user.
func (s *Store) User(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT email, role, clients, teams, password_hash IS NOT NULL, created_at FROM meta.users WHERE email = ?`, strings.ToLower(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNoUser
	}
	return u, err
}

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var clients, teams sql.NullString
	if err := row.Scan(&u.Email, &u.Role, &clients, &teams, &u.Password, &u.Created); err != nil {
		return u, err
	}
	json.Unmarshal([]byte(clients.String), &u.Clients)
	json.Unmarshal([]byte(teams.String), &u.Teams)
	return u, nil
}

// dummyHash is compared against when the account is unknown, so both
// answers take a bcrypt's time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("conflux-no-such-account"), bcrypt.DefaultCost)

// CheckPassword returns the user whose password this is, or
// ErrBadCredentials whatever was wrong.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (User, error) {
	var hash sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM meta.users WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))).Scan(&hash)
	if err != nil || !hash.Valid {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(hash.String), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	return s.User(ctx, email)
}

// Random is n random bytes as URL-safe text: a cookie, a CSRF token, an
// API token, an OIDC state or nonce.
func Random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secret is a random value for a cookie, a CSRF token or an API token.
func secret() string { return Random(32) }

// Digest is how a secret is stored: its SHA-256, never the secret.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Session is a signed-in user and the CSRF token their forms carry.
type Session struct {
	User User
	CSRF string
}

// NewSession signs email in for ttl and returns the cookie's value.
func (s *Store) NewSession(ctx context.Context, email string, ttl time.Duration) (string, error) {
	id := secret()
	now := s.now().UTC()
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta.sessions VALUES (?, ?, ?, ?, ?)`, Digest(id), strings.ToLower(email), secret(), now, now.Add(ttl))
	if err != nil {
		return "", err
	}
	// Expired sessions go as new ones come.
	s.db.ExecContext(ctx, `DELETE FROM meta.sessions WHERE expires_at < ?`, now)
	return id, nil
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("not signed in, or the sign-in expired")

// Session finds the live session of a cookie's value.
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	var email, csrf string
	err := s.db.QueryRowContext(ctx, `SELECT email, csrf FROM meta.sessions WHERE id_hash = ? AND expires_at > ?`, Digest(id), s.now().UTC()).Scan(&email, &csrf)
	if err != nil {
		return Session{}, ErrNoSession
	}
	u, err := s.User(ctx, email)
	if err != nil {
		return Session{}, ErrNoSession
	}
	return Session{User: u, CSRF: csrf}, nil
}

// EndSession signs a cookie's session out.
func (s *Store) EndSession(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM meta.sessions WHERE id_hash = ?`, Digest(id))
	return err
}

// Token is an API token as listed: never its secret.
type Token struct {
	Name     string     `json:"name"`
	Email    string     `json:"email"`
	Created  time.Time  `json:"created"`
	LastUsed *time.Time `json:"last_used,omitempty"`
	Revoked  *time.Time `json:"revoked,omitempty"`
}

// TokenPrefix starts every API token, so one is recognised in a leak.
const TokenPrefix = "cfx_"

// CreateToken makes an API token for a user's scripts and returns it: the
// only time it is shown.
func (s *Store) CreateToken(ctx context.Context, email, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("a token needs a name (--name)")
	}
	if _, err := s.User(ctx, email); err != nil {
		return "", err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta.api_tokens WHERE name = ?`, name).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", fmt.Errorf("a token named %q exists already: pick another name", name)
	}
	tok := TokenPrefix + secret()
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta.api_tokens (name, email, token_hash, created_at) VALUES (?, ?, ?, ?)`, name, strings.ToLower(email), Digest(tok), s.now().UTC())
	return tok, err
}

// TokenUser is the user whose live token this is.
func (s *Store) TokenUser(ctx context.Context, tok string) (User, string, error) {
	var email, name string
	err := s.db.QueryRowContext(ctx, `SELECT email, name FROM meta.api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, Digest(tok)).Scan(&email, &name)
	if err != nil {
		return User{}, "", ErrNoSession
	}
	s.db.ExecContext(ctx, `UPDATE meta.api_tokens SET last_used = ? WHERE name = ?`, s.now().UTC(), name)
	u, err := s.User(ctx, email)
	return u, name, err
}

// Tokens lists the tokens, revoked ones too.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, email, created_at, last_used, revoked_at FROM meta.api_tokens ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.Name, &t.Email, &t.Created, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsed = &used.Time
		}
		if revoked.Valid {
			t.Revoked = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token working.
func (s *Store) RevokeToken(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE meta.api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, s.now().UTC(), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no live token named %q (`conflux tokens list`)", name)
	}
	return nil
}
