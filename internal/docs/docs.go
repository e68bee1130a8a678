// Package docs generates the metric-definition page from the code that
// computes the metrics: each model's and report's header comment, what it
// reads, its data tests, and which dashboard panel shows it. Nothing in it
// is written by hand, so it cannot drift from the SQL.
package docs

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/models"
	"github.com/conflux-dev/conflux/reports"
)

// Entry documents one model, report or macro.
type Entry struct {
	Name   string
	Title  string
	Doc    string
	Reads  []string
	Tests  []string
	Params []string
	Shown  []string // "Finance › Budgets at risk"
}

// Section is one group of entries.
type Section struct {
	Title, Intro string
	Entries      []Entry
}

var refRE = regexp.MustCompile(`\{\{\s*ref\s+"([a-z_]+\.[a-z_0-9]+)"\s*\}\}|\b((?:core|marts|seeds)\.[a-z_0-9]+)\b`)

// sqlComment is a -- comment: a table it names is not read.
var sqlComment = regexp.MustCompile(`--[^\n]*`)

func reads(sql string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range refRE.FindAllStringSubmatch(sqlComment.ReplaceAllString(sql, ""), -1) {
		name := m[1]
		if name == "" {
			name = m[2]
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// header returns the leading comment block without its test: lines.
func header(sql string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(sql))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			break
		}
		text := strings.TrimPrefix(strings.TrimPrefix(line, "--"), " ")
		if strings.HasPrefix(text, "test:") || strings.HasPrefix(text, "compression:") {
			continue
		}
		b.WriteString(text + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// Build collects the sections: the marts the dashboards read, the core
// tables, the money macros, and every report with the panels that show it.
func Build() ([]Section, error) {
	all, err := models.Load(models.Builtin(), "")
	if err != nil {
		return nil, err
	}
	cat, err := reports.Load()
	if err != nil {
		return nil, err
	}
	shown := map[string][]string{}
	for _, d := range dashboards.All() {
		for _, p := range d.Panels {
			shown[p.Report] = append(shown[p.Report], d.Title+" › "+p.Title)
		}
	}
	marts := Section{Title: "Marts", Intro: "The reconciled facts every dashboard, report and export reads."}
	core := Section{Title: "Core tables", Intro: "One canonical table per entity, unioned from every connected tool (design §4)."}
	for _, m := range all {
		if m.Assertion || strings.HasPrefix(m.Name, "staging.") {
			continue
		}
		e := Entry{Name: m.Name, Doc: header(m.SQL), Reads: reads(m.SQL)}
		for _, t := range m.Tests {
			e.Tests = append(e.Tests, t.Name)
		}
		if strings.HasPrefix(m.Name, "marts.") {
			marts.Entries = append(marts.Entries, e)
		} else {
			core.Entries = append(core.Entries, e)
		}
	}
	blocks := strings.Split(models.Macros(), "\n\n")
	macros := Section{Title: "Money macros", Intro: header(blocks[0]) + " `conflux build` defines them in every warehouse."}
	for _, block := range blocks[1:] {
		if _, def, ok := strings.Cut(block, "CREATE OR REPLACE MACRO "); ok {
			name, _, _ := strings.Cut(def, "(")
			macros.Entries = append(macros.Entries, Entry{Name: name, Doc: header(block)})
		}
	}
	reps := Section{Title: "Reports", Intro: "Each dashboard panel runs one of these; `GET /api/reports/{name}?format=json|csv|xlsx|arrow` returns the same rows."}
	for _, name := range cat.Names() {
		r, _ := cat.Get(name)
		e := Entry{Name: name, Title: r.Title, Doc: strings.TrimRight(r.Doc, "\n"), Shown: shown[name], Reads: reads(r.SQL())}
		for _, p := range r.Params {
			e.Params = append(e.Params, p.Name+" ("+p.Type+")")
		}
		reps.Entries = append(reps.Entries, e)
	}
	return []Section{marts, core, macros, reps}, nil
}

// HTML writes the sections as an HTML fragment for the server's
// /definitions page.
func HTML(w io.Writer, sections []Section) error {
	if err := writeGlossary(w); err != nil {
		return err
	}
	for i := range sections {
		for j := range sections[i].Entries {
			sections[i].Entries[j].Doc = plain(sections[i].Entries[j].Doc)
		}
	}
	return fragment.Execute(w, sections)
}

var fragment = template.Must(template.New("definitions").Parse(`<h2 style="margin-top:24px">For analysts: every table and report</h2><p class="note">Generated from the header comments of the SQL that computes each number; the same page is docs/metrics.md.</p>
<nav class="toc">{{range .}}<a href="#{{.Title}}">{{.Title}}</a> {{end}}</nav>
{{range .}}<section class="panel wide defs" id="{{.Title}}"><h2>{{.Title}}</h2><p class="note">{{.Intro}}</p>
{{range .Entries}}<h3 id="{{.Name}}"><code>{{.Name}}</code>{{if .Title}} — {{.Title}}{{end}}</h3>
{{if .Doc}}<pre>{{.Doc}}</pre>{{end}}
<ul class="note">{{with .Shown}}<li>Shown on: {{range $i, $s := .}}{{if $i}}; {{end}}{{$s}}{{end}}</li>{{end}}{{with .Params}}<li>Parameters: {{range $i, $s := .}}{{if $i}}; {{end}}{{$s}}{{end}}</li>{{end}}{{with .Reads}}<li>Reads: {{range $i, $s := .}}{{if $i}}; {{end}}<a href="#{{$s}}">{{$s}}</a>{{end}}</li>{{end}}{{with .Tests}}<li>Data tests: {{range $i, $s := .}}{{if $i}}; {{end}}{{$s}}{{end}}</li>{{end}}</ul>
{{end}}</section>
{{end}}`))

// Markdown writes the sections as the page docs/metrics.md holds.
func Markdown(w io.Writer, sections []Section) error {
	fmt.Fprintln(w, "# Metric definitions")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Generated by `conflux docs` from the header comments of the SQL models, macros and reports")
	fmt.Fprintln(w, "that compute each number — edit those, then run `make docs`. Formulas follow")
	fmt.Fprintln(w, "`metrics.md` (the specification); § numbers refer to it.")
	for _, s := range sections {
		fmt.Fprintf(w, "\n## %s\n\n%s\n", s.Title, s.Intro)
		for _, e := range s.Entries {
			title := "`" + e.Name + "`"
			if e.Title != "" {
				title += " — " + e.Title
			}
			fmt.Fprintf(w, "\n### %s\n\n", title)
			if e.Doc != "" {
				fmt.Fprintf(w, "```text\n%s\n```\n\n", e.Doc)
			}
			list := func(label string, items []string) {
				if len(items) > 0 {
					fmt.Fprintf(w, "- %s: %s\n", label, strings.Join(items, "; "))
				}
			}
			list("Shown on", e.Shown)
			list("Parameters", e.Params)
			list("Reads", e.Reads)
			list("Data tests", e.Tests)
		}
	}
	return nil
}
