package harvest

import (
	"encoding/json"
	"fmt"
	"testing"
)

func BenchmarkDecodeListPage(b *testing.B) {
	entry := map[string]any{"id": 1, "spent_date": "2025-01-01", "user": map[string]any{"id": 1, "name": "Kim Allen"},
		"project": map[string]any{"id": 2, "name": "Marketing Website"}, "task": map[string]any{"id": 3, "name": "Design"},
		"hours": 2.11, "billable": true, "billable_rate": 100.0, "cost_rate": 50.0, "notes": "Adding CSS styling",
		"created_at": "2025-01-01T10:00:00Z", "updated_at": "2025-01-01T10:00:00Z"}
	var items []json.RawMessage
	for i := range 2000 {
		entry["id"] = i + 1
		raw, _ := json.Marshal(entry)
		items = append(items, raw)
	}
	list, _ := json.Marshal(items)
	body := []byte(fmt.Sprintf(`{"time_entries":%s,"per_page":2000,"total_entries":2000,"links":{"next":null}}`, list))
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		if _, _, _, err := decodeList(body, "time_entries"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "records/s")
}
