package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/holidays"
	"github.com/conflux-dev/conflux/internal/mappings"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

func loadConfig(g *globals) (*config.Config, error) {
	cfg, err := config.Load(g.configPath, vendors())
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

// openWarehouse opens the file, or explains that a server holds it.
func openWarehouse(ctx context.Context, cfg *config.Config) (*warehouse.Warehouse, error) {
	wh, err := warehouse.Open(ctx, cfg.Warehouse)
	if err != nil {
		return nil, err
	}
	return wh, nil
}

// selectSources resolves SOURCE arguments against the config.
func selectSources(cfg *config.Config, names []string) ([]config.Source, error) {
	if len(cfg.Sources) == 0 {
		return nil, usageError{fmt.Errorf("%s: sources: none configured (add one; `conflux init` writes an example)", cfg.Path)}
	}
	if len(names) == 0 {
		return cfg.Sources, nil
	}
	var out []config.Source
	for _, n := range names {
		src, ok := cfg.Source(n)
		if !ok {
			var known []string
			for _, s := range cfg.Sources {
				known = append(known, s.Name)
			}
			return nil, usageError{fmt.Errorf("no source %q in %s (configured: %s)", n, cfg.Path, strings.Join(known, ", "))}
		}
		out = append(out, src)
	}
	return out, nil
}

// runSync syncs the sources one after another.
func runSync(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, srcs []config.Source, streams []string, progress sync.Progress, log *slog.Logger) error {
	var errs []error
	for _, src := range srcs {
		c, err := newConnector(ctx, cfg, src, wh, log)
		if err != nil {
			return err
		}
		if _, err := sync.Run(ctx, wh, sync.Source{Name: src.Name, Connector: c, Streams: streams}, progress, log); err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// seeds turns the config's company facts into model seeds.
func seeds(cfg *config.Config) models.Seeds {
	s := models.Seeds{Currency: cfg.Org.Currency, Timezone: cfg.Org.Timezone.String(), StandardWeekH: cfg.Org.StandardWeekH,
		UnbilledGraceDays: cfg.Gaps.UnbilledGraceDays, DealLagDays: cfg.Gaps.DealLagDays, MinSimilarity: cfg.Gaps.MinSimilarity, ClosedGraceDays: cfg.Gaps.ClosedGraceDays, AsOf: cfg.Org.AsOf,
		Time: timeRules(cfg.Time)}
	now := time.Now()
	for _, code := range cfg.Org.Holidays {
		for _, d := range holidays.Between(code, 2000, now.Year()+2) {
			s.Holidays = append(s.Holidays, models.Holiday{Calendar: d.Calendar, Date: d.Date, Name: d.Name, Fraction: 1})
		}
	}
	for _, h := range cfg.Org.HolidayDates {
		s.Holidays = append(s.Holidays, models.Holiday{Calendar: "org", Date: h.Date, Name: h.Name, Fraction: h.Fraction})
	}
	for _, sc := range cfg.Schedules {
		s.Schedules = append(s.Schedules, models.Schedule{Email: sc.Person, Hours: sc.Hours, From: sc.From, To: sc.To})
	}
	f := cfg.Finance
	s.Finance = models.Finance{OverheadPerHour: f.OverheadPerHour, FacilityPerHour: f.FacilityPerHour, MonthlyOverhead: f.MonthlyOverhead,
		ExpenseMarkup: f.ExpenseMarkup, TargetUtilization: f.TargetUtilization, Targets: f.Targets, ApprovedOnly: f.ApprovedOnly}
	for _, c := range f.Costs {
		s.Finance.Costs = append(s.Finance.Costs, models.Cost{Person: c.Person, Role: c.Role, Team: c.Team, Salary: c.Salary, Burden: c.Burden,
			OverheadShare: c.OverheadShare, From: c.From, NonDelivery: c.NonDelivery})
	}
	for _, r := range f.RateCards {
		s.Finance.RateCards = append(s.Finance.RateCards, models.RateCard{Card: r.Card, Role: r.Role, Rate: r.Rate, From: r.From})
	}
	for _, t := range f.Projects {
		var ms []models.Milestone
		for _, m := range t.Milestones {
			ms = append(ms, models.Milestone{Name: m.Name, Accepted: m.Accepted, Amount: m.Amount})
		}
		s.Finance.Terms = append(s.Finance.Terms, models.ProjectTerms{Milestones: ms, Code: t.Code, BillingModel: t.BillingModel, RetainerFee: t.RetainerFee,
			RetainerHours: t.RetainerHours, RolloverCapH: t.RolloverCapH, OverageRate: t.OverageRate, PercentComplete: t.PercentComplete, Cap: t.Cap})
	}
	pl := cfg.Pipeline
	s.Pipeline = models.Pipeline{BlendedRate: pl.BlendedRate, DefaultWeeks: pl.DefaultWeeks, TentativeWeight: pl.TentativeWeight, RoleMix: pl.RoleMix}
	for _, d := range pl.Deals {
		s.Pipeline.Deals = append(s.Pipeline.Deals, models.DealEstimate{Deal: d.Deal, Hours: d.Hours, Weeks: d.Weeks, Roles: d.Roles})
	}
	return s
}

// seedsWithFX are the config's seeds with the rates of finance.fx_rates.
func seedsWithFX(cfg *config.Config) (models.Seeds, error) {
	s := seeds(cfg)
	if cfg.Finance.FXRates != "" {
		rates, err := config.ReadFXRates(cfg.Finance.FXRates)
		if err != nil {
			return s, usageError{err}
		}
		for _, r := range rates {
			s.FXRates = append(s.FXRates, models.FXRate{From: r.From, To: r.To, Date: r.Date, Rate: r.Rate})
		}
	}
	return s, nil
}

// buildOptions are how a build runs: every model again (force), and
// whether to list the models' times after it (timings).
type buildOptions struct{ force, timings bool }

func runBuild(ctx context.Context, wh *warehouse.Warehouse, cfg *config.Config, bo buildOptions, out io.Writer, log *slog.Logger) error {
	srcs := map[string]string{}
	for _, s := range cfg.Sources {
		srcs[s.Name] = s.Type
	}
	start := time.Now()
	s, err := seedsWithFX(cfg)
	if err != nil {
		return err
	}
	pairs, err := mappings.Load(cfg.Mappings)
	if err != nil {
		return usageError{fmt.Errorf("%w (fix the file, or run `conflux mappings accept|reject` to write it)", err)}
	}
	for _, p := range pairs {
		s.Mappings = append(s.Mappings, models.Mapping{Entity: p.Entity, A: p.A, B: p.B, Same: p.Same})
	}
	res, err := models.Build(ctx, wh, models.Options{Sources: srcs, UserDir: cfg.Models, Force: bo.force, Seeds: s, Logger: log})
	// The rules read the marts as this build left them, failed models and
	// data tests included; what they send never turns the build red.
	defer runAlerts(ctx, cfg, wh, out, log)
	if res != nil {
		counts := map[string]int{}
		for _, m := range res.Models {
			counts[m.Status]++
		}
		failedTests := 0
		for _, t := range res.Tests {
			if t.Failures > 0 || t.Err != nil {
				failedTests++
			}
		}
		var parts []string
		for _, st := range []string{"built", "skipped", "failed", "blocked"} {
			if counts[st] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
			}
		}
		fmt.Fprintf(out, "build: %s models; %d/%d data tests passed (%s)\n", strings.Join(parts, ", "),
			len(res.Tests)-failedTests, len(res.Tests), time.Since(start).Round(time.Millisecond))
		for _, line := range res.Failed() {
			fmt.Fprintln(out, "  ✗", line)
		}
		if bo.timings {
			writeTimings(out, res)
		}
	}
	if err != nil && errors.Is(err, models.ErrBuildFailed) {
		return errors.New("build failed: see the lines above")
	}
	return err
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// timeRules carries conflux.yaml's time: to the models.
func timeRules(t config.Time) models.TimeRules {
	r := models.TimeRules{Prefer: t.Prefer}
	for _, s := range t.Sources {
		r.Sources = append(r.Sources, models.TimeSource{Tool: s.Tool, Teams: s.Teams, Projects: s.Projects})
	}
	return r
}

// slowestFirst is the models a build ran (built, or failed), slowest first.
func slowestFirst(res *models.Result) []models.ModelResult {
	ran := slices.DeleteFunc(slices.Clone(res.Models), func(m models.ModelResult) bool { return m.Status != "built" && m.Status != "failed" })
	slices.SortFunc(ran, func(a, b models.ModelResult) int { return cmp.Compare(b.Duration, a.Duration) })
	return ran
}

// modelLabel is a model's name, marked when it was built from the changed
// rows only.
func modelLabel(m models.ModelResult) string {
	if m.Incremental {
		return m.Name + " (changed rows only)"
	}
	return m.Name
}

// writeTimings lists the models a build ran, slowest first, with each one's
// share of the models' time: where a build's time goes.
func writeTimings(out io.Writer, res *models.Result) {
	ran := slowestFirst(res)
	var total time.Duration
	for _, m := range ran {
		total += m.Duration
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "time\tshare\trows\tmodel\t")
	for _, m := range ran {
		fmt.Fprintf(tw, "%s\t%.1f%%\t%d\t%s\t\n", m.Duration.Round(time.Millisecond), 100*m.Duration.Seconds()/max(total.Seconds(), 1e-9), m.Rows, modelLabel(m))
	}
	fmt.Fprintf(tw, "%s\t100%%\t\t%d models\t\n", total.Round(time.Millisecond), len(ran))
	tw.Flush()
}
