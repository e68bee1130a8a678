package warehouse

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkCommitPage measures the path every synced record takes: Appender
// staging, the keyed upsert and the cursor, in one transaction per page.
func BenchmarkCommitPage(b *testing.B) {
	ctx := context.Background()
	w := open(b)
	w.EnsureRawTable(ctx, "harvest", "time_entries")
	run, _ := w.StartRun(ctx, "harvest", "time_entries")
	const perPage = 2000
	payload := `{"id":%d,"spent_date":"2025-01-01","user":{"id":1,"name":"Kim Allen"},"project":{"id":2,"name":"Marketing Website"},"hours":2.11,"billable":true,"billable_rate":100.0,"cost_rate":50.0,"updated_at":"2025-01-01T10:00:00Z"}`
	next := 0
	b.ResetTimer()
	for b.Loop() {
		page := Page{Rows: make([]Row, perPage), Cursor: []byte(`{"next":"x"}`)}
		for i := range page.Rows {
			next++
			page.Rows[i] = Row{ID: fmt.Sprint(next), UpdatedAt: time.Unix(int64(next), 0), Payload: fmt.Appendf(nil, payload, next)}
		}
		if _, err := w.CommitPage(ctx, "harvest", "time_entries", run, page); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(perPage*b.N)/b.Elapsed().Seconds(), "rows/s")
}
