package reports

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/internal/closing"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

//go:embed sql/*.sql
var files embed.FS

// Param is a typed report parameter.
type Param struct {
	Name    string
	Type    string // date, string, int
	Default string // "" = NULL
}

// Report is one named query.
type Report struct {
	Name   string
	Title  string
	Params []Param
	Doc    string // the header comment, title and params left out
	sql    string // with $name rewritten to $1, $2, ...
}

// Catalog is every report, by name.
type Catalog struct {
	byName map[string]*Report
	names  []string
}

var (
	titleRE = regexp.MustCompile(`^--\s*title:\s*(.+?)\s*$`)
	paramRE = regexp.MustCompile(`^--\s*param:\s*([a-z_][a-z0-9_]*)\s+(date|string|int)(?:\s*=\s*(\S+))?\s*$`)
	useRE   = regexp.MustCompile(`\$([a-z_][a-z0-9_]*)`)
)

// Load parses the embedded reports; a malformed one is a start-up error.
func Load() (*Catalog, error) {
	c := &Catalog{byName: map[string]*Report{}}
	names, _ := fs.Glob(files, "sql/*.sql")
	for _, p := range names {
		body, err := files.ReadFile(p)
		if err != nil {
			return nil, err
		}
		r, err := parse(strings.TrimSuffix(path.Base(p), ".sql"), string(body))
		if err != nil {
			return nil, fmt.Errorf("report %s: %w", p, err)
		}
		c.byName[r.Name] = r
		c.names = append(c.names, r.Name)
	}
	slices.Sort(c.names)
	return c, nil
}

func parse(name, body string) (*Report, error) {
	r := &Report{Name: name, Title: name}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			break
		}
		if m := titleRE.FindStringSubmatch(line); m != nil {
			r.Title = m[1]
		}
		if m := paramRE.FindStringSubmatch(line); m != nil {
			r.Params = append(r.Params, Param{Name: m[1], Type: m[2], Default: m[3]})
		} else if titleRE.FindStringSubmatch(line) == nil {
			r.Doc += strings.TrimPrefix(strings.TrimPrefix(line, "--"), " ") + "\n"
		}
	}
	var bad []string
	r.sql = useRE.ReplaceAllStringFunc(body, func(s string) string {
		i := slices.IndexFunc(r.Params, func(p Param) bool { return p.Name == s[1:] })
		if i < 0 {
			bad = append(bad, s)
			return s
		}
		return "$" + strconv.Itoa(i+1)
	})
	if len(bad) > 0 {
		return nil, fmt.Errorf("uses undeclared parameters %s", strings.Join(bad, ", "))
	}
	return r, nil
}

// SQL is the report's query as run, parameters numbered.
func (r *Report) SQL() string { return r.sql }

// AsClosed reports whether the report reads closed months as they were
// closed (a marts.*_reported view) rather than live.
func (r *Report) AsClosed() bool {
	for _, l := range strings.Split(r.sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") && reportedRE.MatchString(l) {
			return true
		}
	}
	return false
}

// Names lists the reports.
func (c *Catalog) Names() []string { return c.names }

// Get returns a report by name.
func (c *Catalog) Get(name string) (*Report, bool) {
	r, ok := c.byName[name]
	return r, ok
}

// ParamError names a bad parameter value.
type ParamError struct {
	Report, Param, Value, Want string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("report %s: parameter %s=%q: want %s", e.Report, e.Param, e.Value, e.Want)
}

// AsOf is the parameter every report takes: as_of=2026-11-05 shows each
// month as the pages showed it at the end of that day — a month closed
// then from its snapshot, the others live (internal/closing).
const AsOf = "as_of"

// reportedRE finds the month marts a report reads as closed.
var reportedRE = regexp.MustCompile(`\bmarts\.([a-z_]+)_reported\b`)

// Run executes the report with values (by parameter name; missing ones take
// their default). Unknown names are an error, not silently ignored.
func (c *Catalog) Run(ctx context.Context, wh warehouse.Querier, name string, values map[string]string) (*warehouse.Table, error) {
	r, ok := c.byName[name]
	if !ok {
		return nil, fmt.Errorf("no report named %q (reports: %s)", name, strings.Join(c.names, ", "))
	}
	query := r.sql
	if v := values[AsOf]; v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, &ParamError{name, AsOf, v, "a date YYYY-MM-DD"}
		}
		lines := strings.Split(query, "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "--") {
				continue // a header's words, not a table read
			}
			lines[i] = reportedRE.ReplaceAllStringFunc(l, func(m string) string {
				return strings.Join(strings.Fields(closing.AsOf(reportedRE.FindStringSubmatch(m)[1], d)), " ")
			})
		}
		query = strings.Join(lines, "\n")
	}
	for k := range values {
		if k == AsOf {
			continue
		}
		if !slices.ContainsFunc(r.Params, func(p Param) bool { return p.Name == k }) {
			return nil, &ParamError{Report: name, Param: k, Value: values[k], Want: "one of the declared parameters " + r.paramNames()}
		}
	}
	args := make([]any, len(r.Params))
	for i, p := range r.Params {
		v, ok := values[p.Name]
		if !ok || v == "" {
			v = p.Default
		}
		if v == "" {
			args[i] = nil
			continue
		}
		switch p.Type {
		case "date":
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, &ParamError{name, p.Name, v, "a date YYYY-MM-DD"}
			}
			args[i] = d
		case "int":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, &ParamError{name, p.Name, v, "a whole number"}
			}
			args[i] = n
		default:
			args[i] = v
		}
	}
	t, err := wh.QueryArrow(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", name, err)
	}
	return t, nil
}

func (r *Report) paramNames() string {
	var n []string
	for _, p := range r.Params {
		n = append(n, p.Name)
	}
	return "(" + strings.Join(n, ", ") + ")"
}
