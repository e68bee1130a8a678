package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
	ClosedGraceDays   int     // 0: C12 fires the day a project closes
	// Time is how overlapping time tools count (conflux.yaml time:).
	Time     TimeRules
	Finance  Finance
	Pipeline Pipeline
	FXRates  []FXRate
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
var kinds = map[string]string{"xero": "accounting", "quickbooks": "accounting", "hubspot": "crm", "pipedrive": "crm", "jira": "pm", "asana": "pm", "forecast": "planning", "files": "files"}

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
	s.Finance.defaults()
	s.Pipeline.defaults()
	files, filesState, err := fileSeeds(ctx, db, sources)
	if err != nil {
		return "", fmt.Errorf("the files sources' finance inputs: %w", err)
	}
	body, _ := json.Marshal(struct {
		Seeds
		Sources []src
		Files   string
	}{s, srcs, filesState})
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var prev string
	db.QueryRowContext(ctx, `SELECT seed_hash FROM seeds.org`).Scan(&prev)
	if prev == hash {
		return hash, nil
	}
	var holidays, sourceRows, schedules, mappings, timeSources [][]string
	for i, r := range s.Time.Sources {
		for _, team := range r.Teams {
			timeSources = append(timeSources, []string{strconv.Itoa(i), r.Tool, team, ""})
		}
		for _, code := range r.Projects {
			timeSources = append(timeSources, []string{strconv.Itoa(i), r.Tool, "", strings.ToLower(code)})
		}
	}
	for _, h := range s.Holidays {
		holidays = append(holidays, []string{h.Calendar, h.Date.Format(time.DateOnly), h.Name, num(h.Fraction)})
	}
	for _, src := range srcs {
		sourceRows = append(sourceRows, []string{src.Name, src.Type, src.Kind})
	}
	for _, sc := range s.Schedules {
		for d, h := range sc.Hours {
			schedules = append(schedules, []string{strings.ToLower(sc.Email), strconv.Itoa(d + 1), num(h),
				day(sc.From, "0001-01-01"), day(sc.To, "9999-12-31")})
		}
	}
	for _, m := range s.Mappings {
		decision := "different"
		if m.Same {
			decision = "same"
		}
		mappings = append(mappings, []string{m.Entity, m.A, m.B, decision})
	}
	stmts := append([]seedStmt{
		seedTable("org", []string{"currency VARCHAR", "timezone VARCHAR", "standard_week_h DECIMAL(12,4)", "as_of DATE", "seed_hash VARCHAR"},
			[][]string{{s.Currency, s.Timezone, num(s.StandardWeekH), s.AsOf.Format(time.DateOnly), hash}}),
		seedTable("holidays", []string{"calendar VARCHAR", "date DATE", "name VARCHAR", "fraction DECIMAL(5,4)"}, holidays),
		seedTable("sources", []string{"name VARCHAR", "type VARCHAR", "kind VARCHAR"}, sourceRows),
		seedTable("gap_params", []string{"unbilled_grace_days INTEGER", "deal_lag_days INTEGER", "min_similarity DOUBLE", "closed_grace_days INTEGER"},
			[][]string{{strconv.Itoa(s.UnbilledGraceDays), strconv.Itoa(s.DealLagDays), num(s.MinSimilarity), strconv.Itoa(s.ClosedGraceDays)}}),
		seedTable("mappings", []string{"entity VARCHAR", "a VARCHAR", "b VARCHAR", "decision VARCHAR"}, mappings),
		seedTable("time_params", []string{"prefer VARCHAR"}, [][]string{{s.Time.Prefer}}),
		seedTable("time_sources", []string{"rule INTEGER", "tool VARCHAR", "team VARCHAR", "project_code VARCHAR"}, timeSources),
		seedTable("schedules", []string{"email VARCHAR", "isodow INTEGER", "hours DECIMAL(12,4)", "valid_from DATE", "valid_to DATE"}, schedules),
	}, financeSeeds(s)...)
	stmts = append(stmts, files...)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return "", fmt.Errorf("write seeds: %w", err)
		}
	}
	return hash, tx.Commit()
}

// TimeRules say which tool's hours count when two tools hold the same
// hour: Prefer names the tool (a source's name or type) whose copy counts
// ("" — the time tool, which carries rates and billing state), and Sources
// name a system of record per team or project: hours logged elsewhere for
// them are kept but not counted.
type TimeRules struct {
	Prefer  string
	Sources []TimeSource
}

// TimeSource is one system-of-record rule: Tool for these teams and
// project codes.
type TimeSource struct {
	Tool     string
	Teams    []string
	Projects []string
}
