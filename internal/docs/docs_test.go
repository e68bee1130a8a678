package docs

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// docs/metrics.md is what the models say today.
func TestMetricsPageIsCurrent(t *testing.T) {
	sections, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, sections); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### `marts.project_month`", "contribution agi − dl − dnl", "### `allocate`",
		"Shown on: Finance › Budgets at risk", "### `marts.role_week_plan`"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the generated page lacks %q", want)
		}
	}
	committed, err := os.ReadFile("../../docs/metrics.md")
	if err != nil || !bytes.Equal(committed, buf.Bytes()) {
		t.Errorf("docs/metrics.md is out of date with the models: run `make docs` (%v)", err)
	}
}
