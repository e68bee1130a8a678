package mappings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecideKeepsCommentsAndLoadReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mappings.yaml")
	os.WriteFile(path, []byte("# identity overrides\n# keep me\n{}\n"), 0o644)
	if err := Decide(path, "clients", "harvest:501", "xero:abc", true); err != nil {
		t.Fatal(err)
	}
	if err := Decide(path, "clients", "harvest:502", "hubspot:9", false); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(path)
	if !strings.Contains(string(body), "# keep me") || !strings.Contains(string(body), "harvest:501") {
		t.Fatalf("edited file:\n%s", body)
	}
	pairs, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || !pairs[0].Same || pairs[1].Same || pairs[1].B != "hubspot:9" {
		t.Fatalf("pairs %+v", pairs)
	}
	// Changing one's mind moves the pair.
	if err := Decide(path, "clients", "hubspot:9", "harvest:502", true); err != nil {
		t.Fatal(err)
	}
	pairs, _ = Load(path)
	if len(pairs) != 2 || !pairs[1].Same {
		t.Fatalf("after changing the decision: %+v", pairs)
	}
}

func TestLoadNamesTheBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mappings.yaml")
	os.WriteFile(path, []byte("clients:\n  same:\n    - [harvest:501]\n"), 0o644)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "mappings.yaml:3: clients.same[0]: want a pair") {
		t.Errorf("got %v", err)
	}
	if pairs, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err != nil || pairs != nil {
		t.Errorf("a missing file: %v %v", pairs, err)
	}
}
