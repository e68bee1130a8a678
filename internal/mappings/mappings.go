// Package mappings reads and edits mappings.yaml, the identity decisions
// that override automatic matching across tools (design §6): pairs of
// records that are the same entity, and pairs that are not.
//
//	clients:
//	  same:
//	    - [harvest:501, xero:9f1c…]
//	  different:
//	    - [harvest:502, hubspot:9002]
//
// Records are named by their canonical-table key, source:id. Edits keep the
// file's comments and order.
package mappings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Entities are the kinds of record a mapping can name.
var Entities = []string{"clients", "projects", "people"}

// Pair is one decision about two records.
type Pair struct {
	Entity string // clients
	A, B   string // source:id
	Same   bool
}

// Load reads the decisions in path; a missing file holds none.
func Load(path string) ([]Pair, error) {
	body, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of entities (clients:)", path, root.Line)
	}
	var out []Pair
	for i := 0; i+1 < len(root.Content); i += 2 {
		entity, val := root.Content[i], root.Content[i+1]
		if !known(entity.Value) {
			return nil, fmt.Errorf("%s:%d: %s: unknown entity (use %s)", path, entity.Line, entity.Value, strings.Join(Entities, ", "))
		}
		if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
			continue
		}
		if val.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: %s: want same: and different: lists", path, val.Line, entity.Value)
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			kind, list := val.Content[j], val.Content[j+1]
			if kind.Value != "same" && kind.Value != "different" {
				return nil, fmt.Errorf("%s:%d: %s.%s: unknown key (use same or different)", path, kind.Line, entity.Value, kind.Value)
			}
			if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
				continue
			}
			if list.Kind != yaml.SequenceNode {
				return nil, fmt.Errorf("%s:%d: %s.%s: want a list of [source:id, source:id] pairs", path, list.Line, entity.Value, kind.Value)
			}
			for k, p := range list.Content {
				if p.Kind != yaml.SequenceNode || len(p.Content) != 2 || !isKey(p.Content[0].Value) || !isKey(p.Content[1].Value) {
					return nil, fmt.Errorf("%s:%d: %s.%s[%d]: want a pair [source:id, source:id], e.g. [harvest:501, xero:9f1c]", path, p.Line, entity.Value, kind.Value, k)
				}
				out = append(out, Pair{Entity: entity.Value, A: p.Content[0].Value, B: p.Content[1].Value, Same: kind.Value == "same"})
			}
		}
	}
	return out, nil
}

func known(entity string) bool {
	for _, e := range Entities {
		if e == entity {
			return true
		}
	}
	return false
}

func isKey(s string) bool {
	src, id, ok := strings.Cut(s, ":")
	return ok && src != "" && id != ""
}

// Decide records that a and b are (same) or are not the same entity,
// appending the pair to path's list and keeping everything else as it was.
// A pair already decided either way is moved to the new decision.
func Decide(path, entity, a, b string, same bool) error {
	if !known(entity) {
		return fmt.Errorf("unknown entity %q (use %s)", entity, strings.Join(Entities, ", "))
	}
	if !isKey(a) || !isKey(b) {
		return fmt.Errorf("want two records as source:id, got %q and %q", a, b)
	}
	body, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}, HeadComment: doc.HeadComment}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: want a mapping of entities (clients:)", path)
	}
	root.Style = 0 // "{}" from conflux init becomes a block mapping
	ent := child(root, entity)
	ent.Style = 0
	for _, kind := range []string{"same", "different"} {
		list := child(ent, kind)
		list.Kind, list.Tag, list.Style = yaml.SequenceNode, "!!seq", 0
		kept := list.Content[:0]
		for _, p := range list.Content {
			if len(p.Content) == 2 && (p.Content[0].Value == a && p.Content[1].Value == b || p.Content[0].Value == b && p.Content[1].Value == a) {
				continue
			}
			kept = append(kept, p)
		}
		list.Content = kept
		if (kind == "same") == same {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: a}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: b}}})
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	enc.Close()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// child returns the value under key in a mapping node, adding an empty
// mapping there when the key is missing or null.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				v.Kind, v.Tag, v.Value = yaml.MappingNode, "!!map", ""
			}
			return v
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}
