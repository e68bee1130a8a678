package config

import (
	"strings"
	"testing"
	"time"
)

var vendors = Vendors{"harvest": {"account_id", "token", "user_agent", "per_page"}}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestTemplateParses(t *testing.T) {
	cfg, err := Parse("/p/conflux.yaml", Template, vendors, env(map[string]string{"HARVEST_TOKEN": "t", "HARVEST_ACCOUNT_ID": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	src, ok := cfg.Source("harvest")
	if !ok || src.Settings["token"] != "t" || !src.Secret["token"] || src.Lookback != 24*time.Hour {
		t.Errorf("source = %+v", src)
	}
	if cfg.Warehouse != "/p/conflux.duckdb" || cfg.Server.Listen != "127.0.0.1:8080" || cfg.Server.Refresh != time.Hour {
		t.Errorf("cfg = %+v", cfg)
	}
	if cfg.Org.Timezone.String() != "Europe/London" || cfg.Org.Holidays[0] != "GB-ENG" {
		t.Errorf("org = %+v", cfg.Org)
	}
}

func TestErrorsNameKeyLineAndFix(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"org:\n  timezon: UTC\n", "c.yaml:2: org.timezon: unknown key (known keys: as_of, currency, holiday_dates, holidays, name, standard_week_h, timezone, week_start)"},
		{"org:\n  timezone: Mars/Base\n", "c.yaml:2: org.timezone: \"Mars/Base\" is not an IANA time zone"},
		{"org:\n  currency: pounds\n", "org.currency: \"pounds\" is not an ISO 4217 code"},
		{"org:\n  holidays: [XX]\n", "unknown holiday calendar \"XX\" (known: DE, ES, FR, GB-ENG"},
		{"sources:\n  h:\n    type: harvest\n    token: ${NOPE}\n", "c.yaml:4: sources.h.token: environment variable NOPE is not set"},
		{"sources:\n  h:\n    type: harvst\n", "sources.h.type: unknown connector \"harvst\" (one of: harvest)"},
		{"sources:\n  h:\n    type: harvest\n    acount_id: 1\n", "c.yaml:4: sources.h.acount_id: unknown key"},
		{"sources:\n  H-1:\n    type: harvest\n", "sources.H-1: source names must be lower case"},
		{"sources:\n  h:\n    type: harvest\n    lookback: soon\n", "sources.h.lookback: \"soon\" is not a duration (write 30m, 6h or 7d)"},
		{"server:\n  refresh: often\n", "server.refresh: \"often\" is not a duration"},
		{"org:\n  week_start: sunday\n", "org.week_start: \"sunday\" is not supported yet"},
		{"schedules:\n  - person: a@b.c\n    hours: {monday: 8}\n", "schedules[0].hours.monday: unknown weekday"},
		{"warehouse: [a]\n", "warehouse: expected a single value"},
		{"gaps:\n  unbilled_grace_days: 0\n", "c.yaml:2: gaps.unbilled_grace_days: \"0\" must be whole days between 1 and 365 (default 30)"},
		{"gaps:\n  min_similarity: 1\n", "gaps.min_similarity: \"1\" must be a similarity between 0.5 and 0.99"},
		{"gaps:\n  grace: 3\n", "gaps.grace: unknown key"},
		{"org:\n  as_of: yesterday\n", "org.as_of: \"yesterday\" is not a date (write YYYY-MM-DD)"},
		{"gaps:\n  closed_grace_days: -1\n", "gaps.closed_grace_days: \"-1\" must be whole days between 0 and 365"},
		{"sources:\n  h:\n    type: harvest\ntime:\n  prefer: toggl\n", "c.yaml:5: time.prefer: \"toggl\" is not a configured source (one of: h)"},
		{"sources:\n  h:\n    type: harvest\ntime:\n  sources:\n    - {tool: jira, teams: [Developer]}\n", "time.sources[0].tool: \"jira\" is not a configured source (one of: h)"},
		{"time:\n  sources:\n    - {tool: h}\n", "time.sources[0]: give teams: [...] or projects: [...] (project codes) for h"},
	} {
		_, err := Parse("c.yaml", []byte(tc.yaml), vendors, env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.yaml, err, tc.want)
		}
	}
}

func TestDurationsAcceptDays(t *testing.T) {
	d, err := ParseDuration("7d")
	if err != nil || d != 7*24*time.Hour {
		t.Errorf("7d = %v, %v", d, err)
	}
}

func TestTimeRulesParse(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("sources:\n  h:\n    type: harvest\ntime:\n  prefer: harvest\n  sources:\n    - {tool: h, teams: [Designer], projects: [ACME-WEB]}\n"), vendors, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Time.Prefer != "harvest" || len(cfg.Time.Sources) != 1 || cfg.Time.Sources[0].Tool != "h" ||
		cfg.Time.Sources[0].Teams[0] != "Designer" || cfg.Time.Sources[0].Projects[0] != "ACME-WEB" {
		t.Errorf("time: %+v", cfg.Time)
	}
}

func TestAlertErrorsNameKeyAndFix(t *testing.T) {
	smtp := "alerts:\n  smtp: {host: smtp.example.com, from: a@b.c}\n"
	for _, tc := range []struct{ yaml, want string }{
		{smtp + "  rules:\n    - {name: r, kind: budget, channels: [email], to: [finance]}\n", "c.yaml:4: alerts.rules[0].kind: \"budget\": use one of booking, budget_burn, data_test, gaps, restated, sql, stale_deal, sync, utilization"},
		{smtp + "  rules:\n    - {name: r, kind: gaps, channels: [slack], to: [finance]}\n", "alerts.rules[0].channels: unknown channel \"slack\" (use email or one under alerts.channels: )"},
		{smtp + "  rules:\n    - {name: r, kind: gaps, channels: [email]}\n", "alerts.rules[0].to: required with channel email"},
		{smtp + "  rules:\n    - {name: r, kind: gaps, channels: [email], to: [boss]}\n", "alerts.rules[0].to: \"boss\" is neither a role (admin, finance, leadership, ops, lead) nor an email address"},
		{smtp + "  rules:\n    - {name: r, kind: gaps, band: red, channels: [email], to: [ops]}\n", "alerts.rules[0].band: unknown key (known keys: channels, check, kind, min_amount, name, repeat, severity, to, worsen_step)"},
		{smtp + "  rules:\n    - {name: r, kind: sql, channels: [email], to: [ops]}\n", "alerts.rules[0].query: required for kind sql"},
		{"alerts:\n  rules:\n    - {name: r, kind: gaps, channels: [email], to: [ops]}\n", "alerts.rules[0].channels: email needs alerts.smtp"},
		{"alerts:\n  smtp: {host: smtp.example.com, from: a@b.c, password: hunter2}\n", "c.yaml:2: alerts.smtp.password: write the password as ${SMTP_PASSWORD}"},
		{"alerts:\n  smtp: {host: smtp.example.com, from: a@b.c, tls: none, user: u}\n", "alerts.smtp.tls: none would send the password unencrypted to smtp.example.com"},
		{"alerts:\n  channels:\n    hook: {type: webhook, url: \"https://h.example/x?token=abc\"}\n", "alerts.channels.hook.secret: required for type webhook"},
		{"alerts:\n  channels:\n    chat: {type: discord, url: \"https://h.example/x\"}\n", "alerts.channels.chat.type: \"discord\": use slack, teams or webhook"},
		{"alerts:\n  channels:\n    chat: {type: slack, url: \"hooks.slack.com/T0KEN\"}\n", "alerts.channels.chat.url: required: the incoming webhook's https address"},
		{smtp + "schedule:\n  - {report: weekly, to: [leadership], at: \"monday 8am\"}\n", "c.yaml:4: schedule[0].at: \"monday 8am\": write a weekday and a time"},
		{"schedule:\n  - {report: weekly, to: [leadership], at: \"mon 08:00\"}\n", "schedule[0]: sending a report needs alerts.smtp"},
		{smtp + "  rules:\n    - {name: r, kind: booking, weeks: 2.5, channels: [email], to: [ops]}\n", "alerts.rules[0].weeks: \"2.5\" must be whole weeks between 1 and 52"},
	} {
		_, err := Parse("c.yaml", []byte(tc.yaml), vendors, env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("an error repeats a webhook's token: %v", err)
		}
	}
}

func TestDeliveryNextIsInTheOrgsTimeZone(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	d := Delivery{Weekday: 0, Hour: 8}
	// Saturday 5 Dec 2026 → Monday 7 Dec 08:00 London.
	got := d.Next(time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), london)
	if want := time.Date(2026, 12, 7, 8, 0, 0, 0, london); !got.Equal(want) {
		t.Errorf("next = %v; want %v", got, want)
	}
	// At the minute itself it is due now.
	if got := d.Next(time.Date(2026, 12, 7, 8, 0, 0, 0, london), london); !got.Equal(time.Date(2026, 12, 7, 8, 0, 0, 0, london)) {
		t.Errorf("next at the minute = %v", got)
	}
}
