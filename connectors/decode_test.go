package connectors

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

func TestDecodeArrayKeepsEachObjectAsSent(t *testing.T) {
	body := []byte(`[ {"id": 7, "note": "a, b", "nested": {"id": "inner"}},
	{"note": "\u00e9t\u00e9", "id": "x-1"} ]`)
	got, err := DecodeArray(body, "id")
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{ID: "7", Payload: []byte(`{"id": 7, "note": "a, b", "nested": {"id": "inner"}}`)},
		{ID: "x-1", Payload: []byte(`{"note": "\u00e9t\u00e9", "id": "x-1"}`)},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || string(got[i].Payload) != string(want[i].Payload) {
			t.Errorf("record %d: %s %s, want %s %s", i, got[i].ID, got[i].Payload, want[i].ID, want[i].Payload)
		}
	}
	for _, empty := range []string{"", " ", "null", "[]"} {
		if got, err := DecodeArray([]byte(empty), "id"); err != nil || len(got) != 0 {
			t.Errorf("%q: %v, %v; want no records", empty, got, err)
		}
	}
}

func TestDecodeArrayRejectsMalformed(t *testing.T) {
	for _, body := range []string{
		`{"id": 1}`,                // not an array
		`[{"id": 1}, {"name": 2}]`, // no id
		`[{"id": null}]`,
		`[{"id": true}]`,
		`[1, 2]`,
		`[{"id": 1}`, // cut short
		`[{"id": 1}] [{"id": 2}]`,
	} {
		if _, err := DecodeArray([]byte(body), "id"); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", body, err)
		}
	}
}

// BenchmarkDecodeArrayPage is a page of 1,000 time entries shaped like
// Toggl's.
func BenchmarkDecodeArrayPage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 1000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"workspace_id":1,"project_id":%d,"task_id":null,"billable":true,"start":"2025-05-27T09:00:00+00:00","stop":"2025-05-27T11:00:00+00:00","duration":7200,"description":"Design review, round %d","tags":["client","design"],"tag_ids":[1,2],"at":"2025-05-27T11:00:05+00:00","user_id":%d,"uid":%d,"wid":1}`, 4000000000+i, i%40, i, i%30, i%30)
	}
	sb.WriteString("]")
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := DecodeArray(body, "id"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReadRecordFindsANestedTimeOfChange(t *testing.T) {
	body := []byte(`{"type": "time_entries", "attributes": {"note": {"updated_at": "not this"}, "updated_at": "2025-05-27T11:00:05.000+02:00"}, "id": "88"}`)
	r, err := ReadRecord(NewDecoder(body), body, "id", "attributes.updated_at")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 5, 27, 9, 0, 5, 0, time.UTC); r.ID != "88" || !r.UpdatedAt.Equal(want) || string(r.Payload) != string(body) {
		t.Errorf("got %s %s %s, want 88 %s and the object as sent", r.ID, r.UpdatedAt, r.Payload, want)
	}
	bad := []byte(`{"id": 1, "attributes": {"updated_at": "yesterday"}}`)
	if _, err := ReadRecord(NewDecoder(bad), bad, "id", "attributes.updated_at"); err == nil {
		t.Error("a time of change that is not RFC 3339 read")
	}
	for _, none := range []string{`{"id": 2, "updated_at": ""}`, `{"id": 2, "updated_at": null}`, `{"id": 2}`} {
		r, err := ReadRecord(NewDecoder([]byte(none)), []byte(none), "id", "updated_at")
		if err != nil || r.ID != "2" || !r.UpdatedAt.IsZero() {
			t.Errorf("%s: got %q %s %v, want id 2 and no time of change", none, r.ID, r.UpdatedAt, err)
		}
	}
}

func TestDecodeEnvelopeReadsTheArrayAndTheMembersAsked(t *testing.T) {
	body := []byte(`{"page": 2, "items": [{"id": 1}, {"id": "b"}], "total": 9, "skip": {"items": []}}`)
	var total string
	got, err := DecodeEnvelope(body, "items", "id", "", map[string]func(jsontext.Value) error{
		"total": func(v jsontext.Value) error { total = string(v); return nil },
	})
	if err != nil || len(got) != 2 || got[0].ID != "1" || got[1].ID != "b" || total != "9" {
		t.Errorf("got %v, total %q, %v; want records 1 and b, total 9", got, total, err)
	}
	for _, bad := range []string{`[]`, `{"other": []}`, `{"items": {}}`, `{"items": [{"id": 1}]`} {
		if _, err := DecodeEnvelope([]byte(bad), "items", "id", "", nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", bad, err)
		}
	}
}
