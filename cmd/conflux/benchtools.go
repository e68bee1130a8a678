package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/asana"
	"github.com/conflux-dev/conflux/connectors/clockify"
	"github.com/conflux-dev/conflux/connectors/jira"
	"github.com/conflux-dev/conflux/connectors/productive"
	"github.com/conflux-dev/conflux/connectors/toggl"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// timeTools are the tools whose time the bench syncs, each with the
// stream that pages through it: Harvest first (its every stream, which
// the builds then read), then each other alone.
var timeTools = []struct{ tool, stream string }{
	{"harvest", "time_entries"},
	{"toggl", "time_entries"},
	{"clockify", "time_entries"},
	{"jira", "worklogs"},
	{"productive", "time_entries"},
	{"asana", "time_tracking_entries"},
}

// benchConnector is a time tool's connector on its fake, its rate limit
// lifted; start is where the agency's time begins (Toggl and Asana read
// from a start date).
func benchConnector(tool, url string, start time.Time) (connectors.Connector, error) {
	switch tool {
	case "harvest":
		return benchHarvest(url)
	case "toggl":
		return toggl.New(toggl.Config{WorkspaceID: strconv.Itoa(demo.TogglWorkspace), APIToken: demo.TogglToken, BaseURL: url,
			StartDate: start, PageSize: 1000, Rate: rate.Inf})
	case "clockify":
		return clockify.New(clockify.Config{WorkspaceID: demo.ClockifyWorkspace, APIKey: demo.ClockifyKey, BaseURL: url, Rate: rate.Inf})
	case "jira":
		return jira.New(jira.Config{BaseURL: url, Email: demo.JiraEmail, APIToken: demo.JiraToken, Rate: rate.Inf})
	case "productive":
		return productive.New(productive.Config{OrganizationID: demo.ProductiveOrganization, Token: demo.ProductiveToken, BaseURL: url, Rate: rate.Inf})
	case "asana":
		return asana.New(asana.Config{WorkspaceID: demo.AsanaWorkspace, Token: demo.AsanaToken, BaseURL: url, StartDate: start, Rate: rate.Inf})
	}
	return nil, fmt.Errorf("bench: no time tool %q", tool)
}

// fakeURL is where the fakes serve a tool.
func fakeURL(f *demo.Fakes, tool string) string {
	return map[string]string{"harvest": f.HarvestURL, "toggl": f.TogglURL, "clockify": f.ClockifyURL, "jira": f.JiraURL,
		"productive": f.ProductiveURL, "asana": f.AsanaURL}[tool]
}

// childSpec is what the sync's own process is told, as one argument:
// the tool, the warehouse file, the fake's URL and the first day of time.
type childSpec struct {
	tool, db, url string
	start         time.Time
}

func (c childSpec) String() string {
	return strings.Join([]string{c.tool, c.db, c.url, c.start.Format(time.DateOnly)}, "|")
}

func parseChildSpec(s string) (childSpec, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return childSpec{}, fmt.Errorf("bench --sync-child: want tool|db|url|start, got %q", s)
	}
	start, err := time.Parse(time.DateOnly, parts[3])
	if err != nil {
		return childSpec{}, fmt.Errorf("bench --sync-child: start: %w", err)
	}
	return childSpec{tool: parts[0], db: parts[1], url: parts[2], start: start}, nil
}

// childResult is what the sync's own process measured of the tool's time
// stream.
type childResult struct {
	Records int64
	Seconds float64
	PeakMB  int64
}

func (r childResult) rate() float64 { return float64(r.Records) / r.Seconds }

// selfCommand starts this program with args (a test replaces it: its
// binary is the test's).
var selfCommand = func(ctx context.Context, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.CommandContext(ctx, self, args...), nil
}

// syncInChild runs a first sync in a child process (this binary, bench
// --sync-child) into spec.db: every stream of Harvest, the time stream of
// another tool. Its own process, so that its peak resident set is the
// sync's, not the generator's and the fakes'.
func syncInChild(ctx context.Context, spec childSpec) (childResult, error) {
	var res childResult
	child, err := selfCommand(ctx, "bench", "--sync-child", spec.String())
	if err != nil {
		return res, err
	}
	child.Stderr = os.Stderr
	out, err := child.Output()
	if err != nil {
		return res, fmt.Errorf("bench: the %s sync's process: %w", spec.tool, err)
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return res, fmt.Errorf("bench: the %s sync's process said %q: %w", spec.tool, out, err)
	}
	return res, nil
}

// runSyncChild is the child's side of syncInChild: it writes one JSON
// line with the time records synced, the seconds they took and its peak
// resident set, the warehouse closed (as a conflux sync ends).
func runSyncChild(ctx context.Context, arg string, g *globals) error {
	spec, err := parseChildSpec(arg)
	if err != nil {
		return err
	}
	stream := ""
	for _, t := range timeTools {
		if t.tool == spec.tool {
			stream = t.stream
		}
	}
	conn, err := benchConnector(spec.tool, spec.url, spec.start)
	if err != nil {
		return err
	}
	wh, err := warehouse.Open(ctx, spec.db)
	if err != nil {
		return err
	}
	src := sync.Source{Name: spec.tool, Connector: conn}
	if spec.tool != "harvest" {
		src.Streams = []string{stream}
	}
	results, err := sync.Run(ctx, wh, src, nil, g.logger())
	if err := errors.Join(err, wh.Close()); err != nil {
		return err
	}
	for _, r := range results {
		if r.Stream == stream {
			return json.NewEncoder(os.Stdout).Encode(childResult{Records: r.Records, Seconds: r.Duration.Seconds(), PeakMB: peakRSSMB()})
		}
	}
	return fmt.Errorf("bench: the %s sync read no %s", spec.tool, stream)
}

// toolSync is one time tool's first sync of its time.
type toolSync struct {
	tool, stream string
	child        childResult
	jsonRate     float64 // read_json_objects over the same records, records/s
}

// benchTimeTools syncs the time of every tool but Harvest from the fakes,
// each into a warehouse of its own in dir (removed after), and reads
// their payloads back with read_json_objects.
func benchTimeTools(ctx context.Context, f *demo.Fakes, a *demo.Agency, dir string) ([]toolSync, error) {
	var out []toolSync
	for _, t := range timeTools[1:] {
		db := filepath.Join(dir, t.tool+".duckdb")
		res, err := syncInChild(ctx, childSpec{tool: t.tool, db: db, url: fakeURL(f, t.tool), start: a.Start})
		if err != nil {
			return nil, err
		}
		wh, err := warehouse.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		jsonRate, err := readJSONObjectsRate(ctx, wh, dir, t.tool+"__"+t.stream)
		if err := errors.Join(err, wh.Close(), os.Remove(db)); err != nil {
			return nil, err
		}
		out = append(out, toolSync{tool: t.tool, stream: t.stream, child: res, jsonRate: jsonRate})
	}
	return out, nil
}

// writeTools is the table of every time tool's first sync.
func writeTools(out io.Writer, tools []toolSync) {
	fmt.Fprintln(out, "first sync of each time tool's time (its own process):")
	fmt.Fprintf(out, "  %-11s %-22s %9s %10s %16s %7s %9s\n", "tool", "stream", "records", "records/s", "read_json_objects", "ratio", "peak RSS")
	for _, t := range tools {
		peak := "—"
		if t.child.PeakMB > 0 {
			peak = fmt.Sprintf("%d MB", t.child.PeakMB)
		}
		fmt.Fprintf(out, "  %-11s %-22s %9d %10.0f %16.0f/s %6.0f%% %9s\n", t.tool, t.stream, t.child.Records, t.child.rate(), t.jsonRate,
			100*t.child.rate()/t.jsonRate, peak)
	}
}
