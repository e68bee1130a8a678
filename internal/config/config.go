// Package config reads conflux.yaml once into typed values. Every problem is
// reported as file:line: key: what is wrong (how to fix it); unknown keys are
// errors, and ${VAR} values are read from the environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/conflux-dev/conflux/internal/holidays"
)

// Config is conflux.yaml, validated.
type Config struct {
	Path      string // the file read; "" for defaults
	Org       Org
	Warehouse string // path of the DuckDB file, relative paths resolved against the config's folder
	Mappings  string
	Models    string // folder of user models, resolved like Warehouse
	Sources   []Source
	Server    Server
	// Schedules override a person's working pattern (metrics §1.1), for
	// part-timers whose days the time tool cannot express.
	Schedules []Schedule
	Gaps      Gaps
	Finance   Finance
	Pipeline  Pipeline
	Time      Time
	Alerts    Alerts
	// Deliveries are the reports sent on a timetable (schedule:).
	Deliveries []Delivery
}

// Time says how hours count when two tools hold them (README "Many tools,
// one agency").
type Time struct {
	// Prefer is the tool (a source's name or type) whose copy of an hour
	// held by two tools counts; "" is the time tool.
	Prefer string
	// Sources are systems of record: hours of these teams or projects
	// logged in another tool are kept but not counted.
	Sources []TimeSource
}

// TimeSource names the tool that is the system of record for some teams
// and projects (by code).
type TimeSource struct {
	Tool     string
	Teams    []string
	Projects []string
	Line     int
}

// Gaps are the thresholds of the gaps ledger (metrics §10).
type Gaps struct {
	UnbilledGraceDays int     // C01: billable time younger than this is not yet a gap (30)
	DealLagDays       int     // C02, C03: days a won deal may wait for its project (14)
	MinSimilarity     float64 // C08: Jaro-Winkler similarity from which names look alike (0.85)
	ClosedGraceDays   int     // C12: days after a closed project's last entry before its unbilled balance is a gap (0)
}

// Schedule is one person's weekly hours, valid from From to To (inclusive;
// zero means open-ended).
type Schedule struct {
	Person   string     // the person's email in the time tool
	Hours    [7]float64 // Monday..Sunday
	From, To time.Time
	Line     int
}

// Org holds company facts.
type Org struct {
	Name     string
	Timezone *time.Location
	Currency string
	// StandardWeekH is the contracted week for people whose time tool keeps
	// no capacity; default 40 (metrics §1.1).
	StandardWeekH float64
	Holidays      []string // calendar codes, e.g. GB-ENG
	HolidayDates  []HolidayDate
	// AsOf is the date the gaps ledger's checks run at; zero means today.
	AsOf time.Time
}

// HolidayDate is a company day off given by date.
type HolidayDate struct {
	Date     time.Time
	Name     string
	Fraction float64
}

// Source is one entry under sources:.
type Source struct {
	Name          string
	Type          string
	BaseURL       string
	StartDate     time.Time
	Lookback      time.Duration
	FullScanEvery time.Duration
	// Settings holds the connector's own keys (account_id, token, ...), with
	// ${VAR} already expanded.
	Settings map[string]string
	Secret   map[string]bool // keys whose value came from the environment or are credentials
	Line     int
}

// Server is the dashboard server's settings.
type Server struct {
	Listen  string
	Refresh time.Duration
	Token   string // guards the hand-over API for CLI commands; generated when empty
	// Auth is how people sign in: none (loopback only), local (email and
	// password) or oidc (the agency's Google or Microsoft accounts).
	Auth       string
	OIDC       OIDC
	PublicURL  string        // the address people use, behind a proxy; https makes cookies Secure
	TLSCert    string        // serve HTTPS with this certificate …
	TLSKey     string        // … and key
	SessionTTL time.Duration // how long a sign-in lasts (default 12h)
	AuthLine   int           // where server.auth is in the file, for errors
}

// OIDC is the agency's OpenID Connect provider.
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	AllowedDomains                 []string // email domains that may sign in; empty allows any the provider vouches for
}

// Auth modes.
const (
	AuthNone  = "none"
	AuthLocal = "local"
	AuthOIDC  = "oidc"
)

// Vendors tells Load which connector types exist and the extra keys each takes.
type Vendors map[string][]string

// Error is one problem in the file.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// Defaults is the configuration without a file: the embedded default warehouse.
func Defaults() *Config {
	return &Config{
		Org:       Org{Name: "My Agency", Timezone: time.UTC, Currency: "GBP", StandardWeekH: 40},
		Warehouse: "conflux.duckdb",
		Mappings:  "mappings.yaml",
		Models:    "models",
		Server:    Server{Listen: "127.0.0.1:8080", Refresh: time.Hour, Auth: AuthNone, SessionTTL: 12 * time.Hour},
		Gaps:      Gaps{UnbilledGraceDays: 30, DealLagDays: 14, MinSimilarity: 0.85},
	}
}

// Load reads and validates path. The returned error joins every *Error found.
func Load(path string, vendors Vendors) (*Config, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: path, Key: "config", Msg: "file not found (run `conflux init` to write one, or pass --config)"}
		}
		return nil, err
	}
	return Parse(path, body, vendors, os.LookupEnv)
}

var sourceNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// Parse validates body as if read from path; lookup resolves ${VAR}.
func Parse(path string, body []byte, vendors Vendors, lookup func(string) (string, bool)) (*Config, error) {
	var timeNode, scheduleNode *yaml.Node
	p := &parser{file: path, lookup: lookup}
	cfg := Defaults()
	cfg.Path = path
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, &Error{File: path, Key: "yaml", Msg: err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: path, Key: "config", Msg: "the file is empty (run `conflux init` for a commented example)"}
	}
	root := doc.Content[0]
	p.mapping(root, "", map[string]func(string, *yaml.Node){
		"org": func(k string, n *yaml.Node) { p.org(k, n, &cfg.Org) },
		"warehouse": func(k string, n *yaml.Node) {
			if v, ok := p.str(k, n); ok && v != "" {
				cfg.Warehouse = v
			}
		},
		"mappings": func(k string, n *yaml.Node) {
			if v, ok := p.str(k, n); ok && v != "" {
				cfg.Mappings = v
			}
		},
		"models": func(k string, n *yaml.Node) {
			if v, ok := p.str(k, n); ok && v != "" {
				cfg.Models = v
			}
		},
		"sources":   func(k string, n *yaml.Node) { cfg.Sources = p.sources(k, n, vendors) },
		"schedules": func(k string, n *yaml.Node) { cfg.Schedules = p.schedules(k, n) },
		"finance":   func(k string, n *yaml.Node) { p.finance(k, n, &cfg.Finance) },
		"pipeline":  func(k string, n *yaml.Node) { p.pipeline(k, n, &cfg.Pipeline) },
		"time":      func(k string, n *yaml.Node) { timeNode = n; p.time(k, n, &cfg.Time) },
		"alerts":    func(k string, n *yaml.Node) { p.alerts(k, n, &cfg.Alerts) },
		"schedule":  func(k string, n *yaml.Node) { scheduleNode = n },
		"gaps": func(k string, n *yaml.Node) {
			days := func(dst *int, def int) func(string, *yaml.Node) {
				return func(k string, n *yaml.Node) {
					v, _ := p.str(k, n)
					d, err := strconv.Atoi(v)
					if err != nil || d < 1 || d > 365 {
						p.fail(n, k, "%q must be whole days between 1 and 365 (default %d)", v, def)
						return
					}
					*dst = d
				}
			}
			p.mapping(n, k, map[string]func(string, *yaml.Node){
				"unbilled_grace_days": days(&cfg.Gaps.UnbilledGraceDays, 30),
				"deal_lag_days":       days(&cfg.Gaps.DealLagDays, 14),
				"closed_grace_days": func(k string, n *yaml.Node) {
					v, _ := p.str(k, n)
					d, err := strconv.Atoi(v)
					if err != nil || d < 0 || d > 365 {
						p.fail(n, k, "%q must be whole days between 0 and 365 (default 0: a closed project's balance is a gap at once)", v)
						return
					}
					cfg.Gaps.ClosedGraceDays = d
				},
				"min_similarity": func(k string, n *yaml.Node) {
					v, _ := p.str(k, n)
					f, err := strconv.ParseFloat(v, 64)
					if err != nil || f < 0.5 || f > 0.99 {
						p.fail(n, k, "%q must be a similarity between 0.5 and 0.99 (default 0.85)", v)
						return
					}
					cfg.Gaps.MinSimilarity = f
				},
			})
		},
		"server": func(k string, n *yaml.Node) {
			p.mapping(n, k, map[string]func(string, *yaml.Node){
				"listen": func(k string, n *yaml.Node) {
					if v, ok := p.str(k, n); ok && v != "" {
						cfg.Server.Listen = v
					}
				},
				"refresh": func(k string, n *yaml.Node) { p.duration(k, n, &cfg.Server.Refresh) },
				"token":   func(k string, n *yaml.Node) { cfg.Server.Token, _ = p.str(k, n) },
				"auth": func(k string, n *yaml.Node) {
					v, ok := p.str(k, n)
					if !ok {
						return
					}
					switch v {
					case AuthNone, AuthLocal, AuthOIDC:
						cfg.Server.Auth, cfg.Server.AuthLine = v, n.Line
					default:
						p.fail(n, k, "%q: use none (this machine only), local (email and password) or oidc (Google Workspace or Microsoft Entra)", v)
					}
				},
				"public_url": func(k string, n *yaml.Node) {
					v, ok := p.str(k, n)
					if u, err := url.Parse(v); ok && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
						p.fail(n, k, "%q: give the address people open, e.g. https://conflux.example.com", v)
						return
					}
					cfg.Server.PublicURL = strings.TrimSuffix(v, "/")
				},
				"tls_cert":    func(k string, n *yaml.Node) { cfg.Server.TLSCert, _ = p.str(k, n) },
				"tls_key":     func(k string, n *yaml.Node) { cfg.Server.TLSKey, _ = p.str(k, n) },
				"session_ttl": func(k string, n *yaml.Node) { p.duration(k, n, &cfg.Server.SessionTTL) },
				"oidc": func(k string, n *yaml.Node) {
					p.mapping(n, k, map[string]func(string, *yaml.Node){
						"issuer":        func(k string, n *yaml.Node) { cfg.Server.OIDC.Issuer, _ = p.str(k, n) },
						"client_id":     func(k string, n *yaml.Node) { cfg.Server.OIDC.ClientID, _ = p.str(k, n) },
						"client_secret": func(k string, n *yaml.Node) { cfg.Server.OIDC.ClientSecret, _ = p.str(k, n) },
						"allowed_domains": func(k string, n *yaml.Node) {
							if n.Kind != yaml.SequenceNode {
								p.fail(n, k, "expected a list of email domains, e.g. [northwind.example]")
								return
							}
							for _, c := range n.Content {
								if v, ok := p.str(k, c); ok {
									cfg.Server.OIDC.AllowedDomains = append(cfg.Server.OIDC.AllowedDomains, strings.ToLower(strings.TrimPrefix(v, "@")))
								}
							}
						},
					})
				},
			})
			if (cfg.Server.TLSCert == "") != (cfg.Server.TLSKey == "") {
				p.fail(n, k, "give both tls_cert and tls_key to serve HTTPS, or neither")
			}
			if cfg.Server.Auth == AuthOIDC {
				for key, v := range map[string]string{"issuer": cfg.Server.OIDC.Issuer, "client_id": cfg.Server.OIDC.ClientID, "client_secret": cfg.Server.OIDC.ClientSecret} {
					if v == "" {
						p.fail(n, k+".oidc."+key, "required with auth: oidc (see the README's OIDC set-up)")
					}
				}
			}
		},
	})
	if timeNode != nil {
		p.checkTimeTools(timeNode, cfg)
	}
	if scheduleNode != nil {
		cfg.Deliveries = p.deliveries("schedule", scheduleNode, &cfg.Alerts)
	}
	dir := filepath.Dir(path)
	resolveFX(dir, &cfg.Finance)
	for i := range cfg.Sources {
		// A files source's folder is relative to the config, like the warehouse.
		if f := cfg.Sources[i].Settings["path"]; cfg.Sources[i].Type == "files" && f != "" && !filepath.IsAbs(f) {
			cfg.Sources[i].Settings["path"] = filepath.Join(dir, f)
		}
	}
	for _, f := range []*string{&cfg.Warehouse, &cfg.Mappings, &cfg.Models} {
		if !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return cfg, nil
}

type parser struct {
	file   string
	lookup func(string) (string, bool)
	errs   []error
}

func (p *parser) fail(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// mapping walks a YAML mapping, calling the handler of each known key and
// reporting unknown ones.
func (p *parser) mapping(n *yaml.Node, prefix string, keys map[string]func(string, *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, orRoot(prefix), "expected a mapping of keys")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := keys[k.Value]
		if !ok {
			p.fail(k, join(prefix, k.Value), "unknown key (known keys: %s)", knownList(keys))
			continue
		}
		h(join(prefix, k.Value), v)
	}
}

func orRoot(s string) string {
	if s == "" {
		return "config"
	}
	return s
}

func knownList[V any](m map[string]V) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return strings.Join(ks, ", ")
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// str reads a scalar and expands ${VAR}; ok is false after a reported error.
func (p *parser) str(key string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, key, "expected a single value")
		return "", false
	}
	ok := true
	v := envRE.ReplaceAllStringFunc(n.Value, func(m string) string {
		name := envRE.FindStringSubmatch(m)[1]
		val, set := p.lookup(name)
		if !set {
			p.fail(n, key, "environment variable %s is not set (export %s=… before running conflux)", name, name)
			ok = false
		}
		return val
	})
	return v, ok
}

func (p *parser) duration(key string, n *yaml.Node, out *time.Duration) {
	v, ok := p.str(key, n)
	if !ok {
		return
	}
	d, err := ParseDuration(v)
	if err != nil {
		p.fail(n, key, "%q is not a duration (write 30m, 6h or 7d)", v)
		return
	}
	*out = d
}

// ParseDuration accepts Go durations plus whole days ("7d").
func ParseDuration(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	return d, nil
}

func (p *parser) date(key string, n *yaml.Node) (time.Time, bool) {
	v, ok := p.str(key, n)
	if !ok {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		p.fail(n, key, "%q is not a date (write YYYY-MM-DD)", v)
		return time.Time{}, false
	}
	return d, true
}

func (p *parser) org(key string, n *yaml.Node, org *Org) {
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"name": func(k string, n *yaml.Node) { org.Name, _ = p.str(k, n) },
		"timezone": func(k string, n *yaml.Node) {
			v, ok := p.str(k, n)
			if !ok {
				return
			}
			loc, err := time.LoadLocation(v)
			if err != nil || v == "" {
				p.fail(n, k, "%q is not an IANA time zone (write e.g. Europe/London)", v)
				return
			}
			org.Timezone = loc
		},
		"as_of": func(k string, n *yaml.Node) {
			if d, ok := p.date(k, n); ok {
				org.AsOf = d
			}
		},
		"week_start": func(k string, n *yaml.Node) {
			// The marts use ISO weeks (metrics §9.2); other week starts are not built yet.
			if v, _ := p.str(k, n); strings.ToLower(v) != "monday" {
				p.fail(n, k, "%q is not supported yet: Conflux reports ISO weeks, which start on monday", v)
			}
		},
		"currency": func(k string, n *yaml.Node) {
			v, _ := p.str(k, n)
			if !currencyRE.MatchString(v) {
				p.fail(n, k, "%q is not an ISO 4217 code (write e.g. GBP, USD, EUR)", v)
				return
			}
			org.Currency = v
		},
		"standard_week_h": func(k string, n *yaml.Node) {
			v, _ := p.str(k, n)
			h, err := strconv.ParseFloat(v, 64)
			if err != nil || h <= 0 || h > 80 {
				p.fail(n, k, "%q must be hours per week between 0 and 80 (default 40)", v)
				return
			}
			org.StandardWeekH = h
		},
		"holidays": func(k string, n *yaml.Node) {
			if n.Kind != yaml.SequenceNode {
				p.fail(n, k, "expected a list of calendar codes, e.g. [GB-ENG]")
				return
			}
			for _, c := range n.Content {
				v, ok := p.str(k, c)
				if !ok {
					continue
				}
				if !knownCalendar(v) {
					p.fail(c, k, "unknown holiday calendar %q (known: %s)", v, strings.Join(Calendars(), ", "))
					continue
				}
				org.Holidays = append(org.Holidays, v)
			}
		},
		"holiday_dates": func(k string, n *yaml.Node) {
			if n.Kind != yaml.SequenceNode {
				p.fail(n, k, "expected a list of {date, name, fraction}")
				return
			}
			for _, item := range n.Content {
				h := HolidayDate{Fraction: 1}
				p.mapping(item, k, map[string]func(string, *yaml.Node){
					"date": func(k string, n *yaml.Node) { h.Date, _ = p.date(k, n) },
					"name": func(k string, n *yaml.Node) { h.Name, _ = p.str(k, n) },
					"fraction": func(k string, n *yaml.Node) {
						v, _ := p.str(k, n)
						f, err := strconv.ParseFloat(v, 64)
						if err != nil || f <= 0 || f > 1 {
							p.fail(n, k, "%q must be a number in (0, 1] (0.5 for a half day)", v)
							return
						}
						h.Fraction = f
					},
				})
				if h.Date.IsZero() {
					p.fail(item, k+".date", "required")
					continue
				}
				org.HolidayDates = append(org.HolidayDates, h)
			}
		},
	})
}

var commonSourceKeys = []string{"type", "base_url", "start_date", "lookback", "full_scan_every"}

func (p *parser) sources(key string, n *yaml.Node, vendors Vendors) []Source {
	if n.Kind != yaml.MappingNode {
		p.fail(n, key, "expected a mapping of source name to settings")
		return nil
	}
	var out []Source
	for i := 0; i+1 < len(n.Content); i += 2 {
		nameNode, body := n.Content[i], n.Content[i+1]
		name := nameNode.Value
		sk := join(key, name)
		if !sourceNameRE.MatchString(name) {
			p.fail(nameNode, sk, "source names must be lower case letters, digits and _ (they name raw.<source>__<stream> tables)")
			continue
		}
		src := Source{Name: name, Lookback: 24 * time.Hour, FullScanEvery: 24 * time.Hour, Settings: map[string]string{}, Secret: map[string]bool{}, Line: nameNode.Line}
		if body.Kind != yaml.MappingNode {
			p.fail(body, sk, "expected settings (type: harvest, …)")
			continue
		}
		// The type decides which other keys are allowed, so read it first.
		for j := 0; j+1 < len(body.Content); j += 2 {
			if body.Content[j].Value == "type" {
				src.Type, _ = p.str(sk+".type", body.Content[j+1])
			}
		}
		extra, known := vendors[src.Type]
		if !known {
			var types []string
			for t := range vendors {
				types = append(types, t)
			}
			sortStrings(types)
			if src.Type == "" {
				p.fail(body, sk+".type", "required (one of: %s)", strings.Join(types, ", "))
			} else {
				p.fail(body, sk+".type", "unknown connector %q (one of: %s)", src.Type, strings.Join(types, ", "))
			}
			continue
		}
		handlers := map[string]func(string, *yaml.Node){
			"type": func(string, *yaml.Node) {},
			"base_url": func(k string, n *yaml.Node) {
				src.BaseURL, _ = p.str(k, n)
				if src.BaseURL != "" && !strings.HasPrefix(src.BaseURL, "http://") && !strings.HasPrefix(src.BaseURL, "https://") {
					p.fail(n, k, "%q must start with https:// (or http:// for a local fake)", src.BaseURL)
				}
			},
			"start_date":      func(k string, n *yaml.Node) { src.StartDate, _ = p.date(k, n) },
			"lookback":        func(k string, n *yaml.Node) { p.duration(k, n, &src.Lookback) },
			"full_scan_every": func(k string, n *yaml.Node) { p.duration(k, n, &src.FullScanEvery) },
		}
		for _, e := range extra {
			handlers[e] = func(k string, n *yaml.Node) {
				v, _ := p.str(k, n)
				src.Settings[e] = v
				if envRE.MatchString(n.Value) || isCredential(e) {
					src.Secret[e] = true
				}
			}
		}
		p.mapping(body, sk, handlers)
		out = append(out, src)
	}
	return out
}

func isCredential(key string) bool {
	for _, w := range []string{"token", "secret", "password", "key"} {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// Source returns the named source.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

func sortStrings(s []string) { slices.Sort(s) }

func knownCalendar(code string) bool { return holidays.Known(code) }

// Calendars lists the holiday calendar codes org.holidays accepts.
func Calendars() []string { return holidays.Codes() }

var dayIndex = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

func (p *parser) schedules(key string, n *yaml.Node) []Schedule {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, key, "expected a list of {person, hours: {mon: 8, ...}, from, to}")
		return nil
	}
	var out []Schedule
	for i, item := range n.Content {
		ik := fmt.Sprintf("%s[%d]", key, i)
		s := Schedule{Line: item.Line}
		p.mapping(item, ik, map[string]func(string, *yaml.Node){
			"person": func(k string, n *yaml.Node) { s.Person, _ = p.str(k, n); s.Person = strings.ToLower(s.Person) },
			"from":   func(k string, n *yaml.Node) { s.From, _ = p.date(k, n) },
			"to":     func(k string, n *yaml.Node) { s.To, _ = p.date(k, n) },
			"hours": func(k string, n *yaml.Node) {
				if n.Kind != yaml.MappingNode {
					p.fail(n, k, "expected hours per weekday, e.g. {mon: 8, tue: 8, wed: 8}")
					return
				}
				for j := 0; j+1 < len(n.Content); j += 2 {
					day, val := n.Content[j], n.Content[j+1]
					d, ok := dayIndex[strings.ToLower(day.Value)]
					if !ok {
						p.fail(day, k+"."+day.Value, "unknown weekday (write mon, tue, wed, thu, fri, sat or sun)")
						continue
					}
					h, err := strconv.ParseFloat(val.Value, 64)
					if err != nil || h < 0 || h > 24 {
						p.fail(val, k+"."+day.Value, "%q must be hours between 0 and 24", val.Value)
						continue
					}
					s.Hours[d] = h
				}
			},
		})
		if s.Person == "" {
			p.fail(item, ik+".person", "required (the person's email in the time tool)")
			continue
		}
		if !s.To.IsZero() && s.To.Before(s.From) {
			p.fail(item, ik+".to", "is before from")
			continue
		}
		out = append(out, s)
	}
	return out
}

// CheckListen refuses to serve without sign-in anywhere but this machine:
// auth none on a non-loopback address is a configuration error naming the
// key and the fix.
func (s Server) CheckListen(file, listen string) error {
	if s.Auth != AuthNone {
		return nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return &Error{File: file, Line: s.AuthLine, Key: "server.auth",
		Msg: fmt.Sprintf("is none, so anyone who reaches %s would read every figure: set server.auth to local or oidc (then add users with `conflux users add`), or listen on 127.0.0.1", listen)}
}

func (p *parser) time(key string, n *yaml.Node, t *Time) {
	names := func(k string, n *yaml.Node) []string {
		var out []string
		if n.Kind != yaml.SequenceNode {
			p.fail(n, k, "expected a list, e.g. [Developer, QA Engineer]")
			return nil
		}
		for _, c := range n.Content {
			if v, ok := p.str(k, c); ok && v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"prefer": func(k string, n *yaml.Node) { t.Prefer, _ = p.str(k, n) },
		"sources": func(k string, n *yaml.Node) {
			p.list(k, n, "{tool, teams, projects}", func(item *yaml.Node) {
				ik := fmt.Sprintf("%s[%d]", k, len(t.Sources))
				s := TimeSource{Line: item.Line}
				p.mapping(item, ik, map[string]func(string, *yaml.Node){
					"tool":     func(k string, n *yaml.Node) { s.Tool, _ = p.str(k, n) },
					"teams":    func(k string, n *yaml.Node) { s.Teams = names(k, n) },
					"projects": func(k string, n *yaml.Node) { s.Projects = names(k, n) },
				})
				if s.Tool == "" {
					p.fail(item, ik+".tool", "required: the source whose hours count for these teams or projects")
				}
				if len(s.Teams) == 0 && len(s.Projects) == 0 {
					p.fail(item, ik, "give teams: [...] or projects: [...] (project codes) for %s", s.Tool)
				}
				t.Sources = append(t.Sources, s)
			})
		},
	})
}

// checkTimeTools makes sure time: names configured sources.
func (p *parser) checkTimeTools(n *yaml.Node, cfg *Config) {
	known := func(tool string) bool {
		for _, s := range cfg.Sources {
			if s.Name == tool || s.Type == tool {
				return true
			}
		}
		return false
	}
	var names []string
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	if cfg.Time.Prefer != "" && !known(cfg.Time.Prefer) {
		p.fail(n, "time.prefer", "%q is not a configured source (one of: %s)", cfg.Time.Prefer, strings.Join(names, ", "))
	}
	for i, s := range cfg.Time.Sources {
		if s.Tool != "" && !known(s.Tool) {
			p.fail(n, fmt.Sprintf("time.sources[%d].tool", i), "%q is not a configured source (one of: %s)", s.Tool, strings.Join(names, ", "))
		}
	}
}
