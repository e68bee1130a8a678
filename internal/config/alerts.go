package config

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Alerts are the rules evaluated after every build and where their
// messages go (README "Alerts and scheduled delivery").
type Alerts struct {
	SMTP     SMTP
	Channels []Channel
	Rules    []Rule
	// Repeat is how often an open alert is sent again while nothing about
	// it changes; zero sends it once.
	Repeat time.Duration
}

// SMTP is the mail server alerts and scheduled reports are sent through.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // starttls, implicit or none
	User     string
	Password string // always from ${ENV}
	From     string
}

// Configured reports whether a mail server is set.
func (s SMTP) Configured() bool { return s.Host != "" }

// Channel is a named chat or webhook destination.
type Channel struct {
	Name   string
	Type   string // slack, teams or webhook
	URL    string // holds the vendor's token: never printed
	Secret string // webhook: the HMAC-SHA256 key, from ${ENV}
	Line   int
}

// Rule is one alert rule. Kind picks a built-in query or sql for the
// agency's own; the fields after Line are the kinds' parameters.
type Rule struct {
	Name       string
	Kind       string
	Severity   string        // info, warning, critical
	To         []string      // roles (admin, finance, …) or email addresses
	Channels   []string      // "email" or names under alerts.channels
	Repeat     time.Duration // overrides alerts.repeat when RepeatSet
	RepeatSet  bool
	WorsenStep float64 // the amount by which an open alert must grow to be sent again
	Line       int

	Band     string        // budget_burn: amber or red, the lowest band that alerts
	Weeks    int           // booking: weeks ahead; utilization: weeks in a row
	OverPct  float64       // booking: booked above this % of available hours
	UnderPct float64       // booking: booked below this %; 0 is off
	Amount   float64       // gaps: money at stake from which a finding alerts; restated: money moved
	Check    string        // gaps: one check (C01 …), or every check
	Days     int           // stale_deal: days past the expected close date
	MaxAge   time.Duration // sync: age of a source's last good sync that alerts
	Query    string        // sql: one row per alert
}

// Delivery is one scheduled report under schedule:.
type Delivery struct {
	Report  string   // weekly
	To      []string // roles or email addresses
	Weekday int      // 0 = Monday … 6 = Sunday; -1 every day
	Hour    int
	Minute  int
	Line    int
}

// RuleKinds lists each built-in kind and the keys it takes.
var RuleKinds = map[string][]string{
	"budget_burn": {"band"},
	"booking":     {"weeks", "over_pct", "under_pct"},
	"utilization": {"weeks"},
	"gaps":        {"min_amount", "check"},
	"stale_deal":  {"days"},
	"sync":        {"max_age"},
	"data_test":   {},
	"restated":    {"min_amount"},
	"sql":         {"query"},
}

// Roles people sign in with; a rule's to: may name them.
var Roles = []string{"admin", "finance", "leadership", "ops", "lead"}

var (
	ruleNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	checkRE    = regexp.MustCompile(`^C[0-9]{2}$`)
)

func (p *parser) alerts(key string, n *yaml.Node, a *Alerts) {
	var rulesNode *yaml.Node
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"smtp":     func(k string, n *yaml.Node) { p.smtp(k, n, &a.SMTP) },
		"channels": func(k string, n *yaml.Node) { a.Channels = p.channels(k, n) },
		"repeat":   func(k string, n *yaml.Node) { p.duration(k, n, &a.Repeat) },
		"rules":    func(k string, n *yaml.Node) { rulesNode = n },
	})
	if rulesNode != nil {
		a.Rules = p.rules(key+".rules", rulesNode, a)
	}
}

func (p *parser) smtp(key string, n *yaml.Node, s *SMTP) {
	s.TLS = "starttls"
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"host": func(k string, n *yaml.Node) { s.Host, _ = p.str(k, n) },
		"port": func(k string, n *yaml.Node) {
			if f, ok := p.number(k, n, 1, 65535, "must be a port number (587 for STARTTLS, 465 for implicit TLS)"); ok {
				s.Port = int(f)
			}
		},
		"tls": func(k string, n *yaml.Node) {
			v, _ := p.str(k, n)
			if !slices.Contains([]string{"starttls", "implicit", "none"}, v) {
				p.fail(n, k, "%q: use starttls (port 587), implicit (port 465) or none (a relay on this machine only)", v)
				return
			}
			s.TLS = v
		},
		"user": func(k string, n *yaml.Node) { s.User, _ = p.str(k, n) },
		"password": func(k string, n *yaml.Node) {
			if !envRE.MatchString(n.Value) {
				p.fail(n, k, "write the password as ${SMTP_PASSWORD} and export it: a password in the file is read by everyone who reads the file")
				return
			}
			s.Password, _ = p.str(k, n)
		},
		"from": func(k string, n *yaml.Node) { s.From, _ = p.str(k, n) },
	})
	if s.Host == "" {
		p.fail(n, key+".host", "required: the mail server's name, e.g. smtp.office365.com")
	}
	if s.From == "" {
		p.fail(n, key+".from", "required: the sender, e.g. Conflux <conflux@northwind.example>")
	}
	if s.Port == 0 {
		s.Port = map[string]int{"starttls": 587, "implicit": 465, "none": 25}[s.TLS]
	}
	if s.TLS == "none" && s.User != "" && !isLoopbackHost(s.Host) {
		p.fail(n, key+".tls", "none would send the password unencrypted to %s: use starttls or implicit", s.Host)
	}
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (p *parser) channels(key string, n *yaml.Node) []Channel {
	if n.Kind != yaml.MappingNode {
		p.fail(n, key, "expected named channels, e.g. ops-slack: {type: slack, url: ${SLACK_WEBHOOK_URL}}")
		return nil
	}
	var out []Channel
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		k := key + "." + name
		c := Channel{Name: name, Line: body.Line}
		if !ruleNameRE.MatchString(name) || name == "email" {
			p.fail(n.Content[i], k, "a channel's name is lower case letters, digits, - and _, and not email (email is the mail channel)")
			continue
		}
		p.mapping(body, k, map[string]func(string, *yaml.Node){
			"type": func(k string, n *yaml.Node) { c.Type, _ = p.str(k, n) },
			"url":  func(k string, n *yaml.Node) { c.URL, _ = p.str(k, n) },
			"secret": func(k string, n *yaml.Node) {
				if !envRE.MatchString(n.Value) {
					p.fail(n, k, "write the key as ${WEBHOOK_SECRET} and export it, so the file does not hold it")
					return
				}
				c.Secret, _ = p.str(k, n)
			},
		})
		switch c.Type {
		case "slack", "teams", "webhook":
		default:
			p.fail(body, k+".type", "%q: use slack, teams or webhook", c.Type)
			continue
		}
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// The URL holds the vendor's token: the error never repeats it.
			p.fail(body, k+".url", "required: the incoming webhook's https address (from ${ENV} keeps its token out of the file)")
			continue
		}
		if c.Type == "webhook" && c.Secret == "" {
			p.fail(body, k+".secret", "required for type webhook: the key its HMAC-SHA256 signature is made with")
			continue
		}
		out = append(out, c)
	}
	return out
}

func (p *parser) rules(key string, n *yaml.Node, a *Alerts) []Rule {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, key, "expected a list of rules, e.g. - {name: budget, kind: budget_burn, to: [finance], channels: [email]}")
		return nil
	}
	var out []Rule
	seen := map[string]bool{}
	for i, item := range n.Content {
		ik := fmt.Sprintf("%s[%d]", key, i)
		r := Rule{Line: item.Line, Severity: "warning"}
		if item.Kind != yaml.MappingNode {
			p.fail(item, ik, "expected a rule: {name, kind, to, channels, …}")
			continue
		}
		// The kind decides which keys are known, so read it first.
		for j := 0; j+1 < len(item.Content); j += 2 {
			if item.Content[j].Value == "kind" {
				r.Kind = item.Content[j+1].Value
			}
		}
		params, known := RuleKinds[r.Kind]
		if !known {
			p.fail(item, ik+".kind", "%q: use one of %s", r.Kind, knownList(RuleKinds))
			continue
		}
		keys := map[string]func(string, *yaml.Node){
			"name": func(k string, n *yaml.Node) { r.Name, _ = p.str(k, n) },
			"kind": func(string, *yaml.Node) {},
			"severity": func(k string, n *yaml.Node) {
				v, _ := p.str(k, n)
				if !slices.Contains([]string{"info", "warning", "critical"}, v) {
					p.fail(n, k, "%q: use info, warning or critical", v)
					return
				}
				r.Severity = v
			},
			"to":          func(k string, n *yaml.Node) { r.To = p.recipients(k, n) },
			"channels":    func(k string, n *yaml.Node) { r.Channels = p.strings(k, n, "channels, e.g. [email, ops-slack]") },
			"repeat":      func(k string, n *yaml.Node) { p.duration(k, n, &r.Repeat); r.RepeatSet = true },
			"worsen_step": p.setNumber(&r.WorsenStep, 0, 1e12, "must be a positive amount (how much an open alert must grow to be sent again)"),
		}
		param := map[string]func(string, *yaml.Node){
			"band": func(k string, n *yaml.Node) {
				v, _ := p.str(k, n)
				if v != "amber" && v != "red" {
					p.fail(n, k, "%q: use amber (75%% of budget used, or forecast over it) or red (90%%, or 10%% over)", v)
					return
				}
				r.Band = v
			},
			"weeks":      func(k string, n *yaml.Node) { r.Weeks, _ = p.whole(k, n, 1, 52, "whole weeks") },
			"over_pct":   p.setNumber(&r.OverPct, 1, 1000, "must be a percentage of available hours, e.g. 110"),
			"under_pct":  p.setNumber(&r.UnderPct, 0, 100, "must be a percentage of available hours between 0 and 100 (0 is off)"),
			"min_amount": p.setNumber(&r.Amount, 0, 1e12, "must be an amount in the reporting currency"),
			"check": func(k string, n *yaml.Node) {
				v, _ := p.str(k, n)
				if !checkRE.MatchString(v) {
					p.fail(n, k, "%q: name one check of the gaps ledger, e.g. C01 (leave it out for every check)", v)
					return
				}
				r.Check = v
			},
			"days":    func(k string, n *yaml.Node) { r.Days, _ = p.whole(k, n, 0, 365, "whole days") },
			"max_age": func(k string, n *yaml.Node) { p.duration(k, n, &r.MaxAge) },
			"query":   func(k string, n *yaml.Node) { r.Query, _ = p.str(k, n) },
		}
		for _, name := range params {
			keys[name] = param[name]
		}
		p.mapping(item, ik, keys)
		switch {
		case r.Name == "":
			p.fail(item, ik+".name", "required: a short name such as budget_red, used by `conflux alerts test NAME`")
			continue
		case !ruleNameRE.MatchString(r.Name):
			p.fail(item, ik+".name", "%q: use lower case letters, digits, - and _", r.Name)
			continue
		case seen[r.Name]:
			p.fail(item, ik+".name", "%q is used by another rule: names are unique", r.Name)
			continue
		}
		seen[r.Name] = true
		if len(r.Channels) == 0 {
			p.fail(item, ik+".channels", "required: where the rule's messages go, e.g. [email] or a name under alerts.channels")
		}
		for _, ch := range r.Channels {
			switch {
			case ch == "email" && !a.SMTP.Configured():
				p.fail(item, ik+".channels", "email needs alerts.smtp (the mail server to send through)")
			case ch == "email" && len(r.To) == 0:
				p.fail(item, ik+".to", "required with channel email: roles (finance, ops, …) or addresses")
			case ch != "email" && !slices.ContainsFunc(a.Channels, func(c Channel) bool { return c.Name == ch }):
				var names []string
				for _, c := range a.Channels {
					names = append(names, c.Name)
				}
				p.fail(item, ik+".channels", "unknown channel %q (use email or one under alerts.channels: %s)", ch, strings.Join(names, ", "))
			}
		}
		switch r.Kind {
		case "budget_burn":
			r.Band = cmp.Or(r.Band, "amber")
		case "booking":
			r.Weeks = cmp.Or(r.Weeks, 4)
			r.OverPct = cmp.Or(r.OverPct, 110)
		case "utilization":
			r.Weeks = cmp.Or(r.Weeks, 3)
		case "stale_deal":
			r.Days = cmp.Or(r.Days, 14)
		case "sync":
			r.MaxAge = cmp.Or(r.MaxAge, 26*time.Hour)
		case "sql":
			if strings.TrimSpace(r.Query) == "" {
				p.fail(item, ik+".query", "required for kind sql: a SELECT over the marts returning key and title (and optionally detail, link, amount, level)")
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// whole reads a whole number between lo and hi.
func (p *parser) whole(key string, n *yaml.Node, lo, hi int, what string) (int, bool) {
	v, ok := p.str(key, n)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < lo || i > hi {
		p.fail(n, key, "%q must be %s between %d and %d", v, what, lo, hi)
		return 0, false
	}
	return i, true
}

func (p *parser) strings(key string, n *yaml.Node, what string) []string {
	var out []string
	p.list(key, n, what, func(item *yaml.Node) {
		if v, ok := p.str(key, item); ok {
			out = append(out, v)
		}
	})
	return out
}

// recipients reads a list of roles and email addresses.
func (p *parser) recipients(key string, n *yaml.Node) []string {
	var out []string
	for _, v := range p.strings(key, n, "roles or email addresses, e.g. [finance, ceo@northwind.example]") {
		v = strings.ToLower(v)
		if !strings.Contains(v, "@") && !slices.Contains(Roles, v) {
			p.fail(n, key, "%q is neither a role (%s) nor an email address", v, strings.Join(Roles, ", "))
			continue
		}
		out = append(out, v)
	}
	return out
}

var atRE = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun|daily)\s+([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func (p *parser) deliveries(key string, n *yaml.Node, a *Alerts) []Delivery {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, key, `expected a list of {report: weekly, to: [leadership], at: "mon 08:00"} (working patterns are under schedules:)`)
		return nil
	}
	var out []Delivery
	for i, item := range n.Content {
		ik := fmt.Sprintf("%s[%d]", key, i)
		d := Delivery{Line: item.Line, Weekday: -2}
		p.mapping(item, ik, map[string]func(string, *yaml.Node){
			"report": func(k string, n *yaml.Node) {
				d.Report, _ = p.str(k, n)
				if d.Report != "weekly" {
					p.fail(n, k, "%q: the report that can be sent is weekly", d.Report)
				}
			},
			"to": func(k string, n *yaml.Node) { d.To = p.recipients(k, n) },
			"at": func(k string, n *yaml.Node) {
				v, _ := p.str(k, n)
				m := atRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(v)))
				if m == nil {
					p.fail(n, k, `%q: write a weekday and a time in the org's time zone, e.g. "mon 08:00" (or "daily 07:30")`, v)
					return
				}
				d.Weekday = -1
				if m[1] != "daily" {
					d.Weekday = dayIndex[m[1]]
				}
				d.Hour, _ = strconv.Atoi(m[2])
				d.Minute, _ = strconv.Atoi(m[3])
			},
		})
		switch {
		case d.Report == "":
			p.fail(item, ik+".report", "required: weekly")
		case len(d.To) == 0:
			p.fail(item, ik+".to", "required: roles or email addresses")
		case d.Weekday == -2:
			p.fail(item, ik+".at", `required, e.g. "mon 08:00"`)
		case !a.SMTP.Configured():
			p.fail(item, ik, "sending a report needs alerts.smtp (the mail server to send through)")
		default:
			out = append(out, d)
		}
	}
	return out
}

// Next is the first time at or after t (in loc) the delivery is due.
func (d Delivery) Next(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	at := time.Date(t.Year(), t.Month(), t.Day(), d.Hour, d.Minute, 0, 0, loc)
	for at.Before(t) || (d.Weekday >= 0 && (int(at.Weekday())+6)%7 != d.Weekday) {
		at = time.Date(at.Year(), at.Month(), at.Day()+1, d.Hour, d.Minute, 0, 0, loc)
	}
	return at
}
