package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Seeds are the facts from conflux.yaml that models read, written to the
// seeds schema before each build.
type Seeds struct {
	Currency string // org.currency
	Timezone string // org.timezone
	// StandardWeekH is the contracted week of people whose source keeps no
	// capacity (metrics §1.1); default 40.
	StandardWeekH float64
	Holidays      []Holiday
	// Schedules override weekly capacity spread Monday–Friday.
	Schedules []Schedule
	// AsOf is the date the checks in marts.gaps run at (metrics §8
	// ":asof"); zero means today (UTC).
	AsOf time.Time
	// Mappings are the identity decisions of mappings.yaml.
	Mappings []Mapping
	// Gap thresholds (metrics §10); zero means the default.
	UnbilledGraceDays int     // 30
	DealLagDays       int     // 14
	MinSimilarity     float64 // 0.85
	Finance           Finance
	Pipeline          Pipeline
	FXRates           []FXRate
}

// Mapping says two records (source:id) are, or are not, the same entity.
type Mapping struct {
	Entity string // clients
	A, B   string
	Same   bool
}

// Schedule is one person's hours per ISO weekday (1 = Monday) over a validity range.
type Schedule struct {
	Email    string
	Hours    [7]float64
	From, To time.Time // zero = open
}

// Holiday is one day off on a calendar.
type Holiday struct {
	Calendar string
	Date     time.Time
	Name     string
	Fraction float64
}

// writeSeeds replaces seeds.org and seeds.holidays and returns a hash of
// their content, so models that read them rebuild when they change.
// kinds says what each connector type is for: accounting sources are the
// ledger (design §6, "one ledger").
var kinds = map[string]string{"xero": "accounting", "quickbooks": "accounting", "hubspot": "crm", "pipedrive": "crm", "jira": "pm", "asana": "pm", "forecast": "planning"}

func writeSeeds(ctx context.Context, db *sql.DB, s Seeds, sources map[string]string) (string, error) {
	if s.Currency == "" {
		s.Currency = "GBP"
	}
	if s.Timezone == "" {
		s.Timezone = "UTC"
	}
	if s.StandardWeekH == 0 {
		s.StandardWeekH = 40
	}
	if s.UnbilledGraceDays == 0 {
		s.UnbilledGraceDays = 30
	}
	if s.DealLagDays == 0 {
		s.DealLagDays = 14
	}
	if s.MinSimilarity == 0 {
		s.MinSimilarity = 0.85
	}
	if s.AsOf.IsZero() {
		s.AsOf = time.Now().UTC()
	}
	s.AsOf = time.Date(s.AsOf.Year(), s.AsOf.Month(), s.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	type src struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Kind string `json:"kind"`
	}
	var srcs []src
	for name, typ := range sources {
		kind := kinds[typ]
		if kind == "" {
			kind = "work"
		}
		srcs = append(srcs, src{name, typ, kind})
	}
	slices.SortFunc(srcs, func(a, b src) int { return strings.Compare(a.Name, b.Name) })
	srcJSON, _ := json.Marshal(srcs)
	s.Finance.defaults()
	s.Pipeline.defaults()
	body, _ := json.Marshal(struct {
		Seeds
		Sources []src
	}{s, srcs})
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var prev string
	db.QueryRowContext(ctx, `SELECT seed_hash FROM seeds.org`).Scan(&prev)
	if prev == hash {
		return hash, nil
	}
	type row struct {
		Calendar string  `json:"calendar"`
		Date     string  `json:"date"`
		Name     string  `json:"name"`
		Fraction float64 `json:"fraction"`
	}
	rows := make([]row, len(s.Holidays))
	for i, h := range s.Holidays {
		rows[i] = row{h.Calendar, h.Date.Format(time.DateOnly), h.Name, h.Fraction}
	}
	hol, _ := json.Marshal(rows)
	type sched struct {
		Email string  `json:"email"`
		Dow   int     `json:"isodow"`
		Hours float64 `json:"hours"`
		From  string  `json:"valid_from"`
		To    string  `json:"valid_to"`
	}
	var srows []sched
	for _, sc := range s.Schedules {
		from, to := "0001-01-01", "9999-12-31"
		if !sc.From.IsZero() {
			from = sc.From.Format(time.DateOnly)
		}
		if !sc.To.IsZero() {
			to = sc.To.Format(time.DateOnly)
		}
		for d, h := range sc.Hours {
			srows = append(srows, sched{strings.ToLower(sc.Email), d + 1, h, from, to})
		}
	}
	type mapRow struct {
		Entity   string `json:"entity"`
		A        string `json:"a"`
		B        string `json:"b"`
		Decision string `json:"decision"`
	}
	mrows := []mapRow{}
	for _, m := range s.Mappings {
		d := "different"
		if m.Same {
			d = "same"
		}
		mrows = append(mrows, mapRow{m.Entity, m.A, m.B, d})
	}
	mapJSON, _ := json.Marshal(mrows)
	schedJSON, _ := json.Marshal(srows)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`CREATE OR REPLACE TABLE seeds.org AS SELECT ?::VARCHAR AS currency, ?::VARCHAR AS timezone,
			?::DECIMAL(12,4) AS standard_week_h, ?::DATE AS as_of, ?::VARCHAR AS seed_hash`,
			[]any{s.Currency, s.Timezone, fmt.Sprint(s.StandardWeekH), s.AsOf.Format(time.DateOnly), hash}},
		{`CREATE OR REPLACE TABLE seeds.holidays AS
			SELECT h.calendar::VARCHAR AS calendar, h.date::DATE AS date, h.name::VARCHAR AS name, h.fraction::DECIMAL(5,4) AS fraction
			FROM (SELECT unnest(from_json(?::JSON, '[{"calendar":"VARCHAR","date":"VARCHAR","name":"VARCHAR","fraction":"DOUBLE"}]'), recursive := true)) h`,
			[]any{string(hol)}},
		{`CREATE OR REPLACE TABLE seeds.sources AS
			SELECT s.name::VARCHAR AS name, s.type::VARCHAR AS type, s.kind::VARCHAR AS kind
			FROM (SELECT unnest(from_json(?::JSON, '[{"name":"VARCHAR","type":"VARCHAR","kind":"VARCHAR"}]'), recursive := true)) s`,
			[]any{string(srcJSON)}},
		{`CREATE OR REPLACE TABLE seeds.gap_params AS SELECT ?::INTEGER AS unbilled_grace_days, ?::INTEGER AS deal_lag_days,
			?::DOUBLE AS min_similarity`, []any{s.UnbilledGraceDays, s.DealLagDays, s.MinSimilarity}},
		{`CREATE OR REPLACE TABLE seeds.mappings AS
			SELECT m.entity::VARCHAR AS entity, m.a::VARCHAR AS a, m.b::VARCHAR AS b, m.decision::VARCHAR AS decision
			FROM (SELECT unnest(from_json(?::JSON, '[{"entity":"VARCHAR","a":"VARCHAR","b":"VARCHAR","decision":"VARCHAR"}]'), recursive := true)) m`,
			[]any{string(mapJSON)}},
		{`CREATE OR REPLACE TABLE seeds.schedules AS
			SELECT s.email::VARCHAR AS email, s.isodow::INTEGER AS isodow, s.hours::DECIMAL(12,4) AS hours,
				s.valid_from::DATE AS valid_from, s.valid_to::DATE AS valid_to
			FROM (SELECT unnest(from_json(?::JSON, '[{"email":"VARCHAR","isodow":"INTEGER","hours":"DOUBLE","valid_from":"VARCHAR","valid_to":"VARCHAR"}]'), recursive := true)) s`,
			[]any{string(schedJSON)}},
	} {
		if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return "", fmt.Errorf("write seeds: %w", err)
		}
	}
	for _, stmt := range financeSeeds(s) {
		if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return "", fmt.Errorf("write seeds: %w", err)
		}
	}
	return hash, tx.Commit()
}
