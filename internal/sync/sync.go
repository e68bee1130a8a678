// Package sync runs connectors into the warehouse: for each stream it reads
// pages from the stored cursor and commits every page with its next cursor in
// one transaction, so a sync killed at any moment resumes where it stopped.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// Progress receives what a sync does, for progress bars or log lines.
type Progress interface {
	StreamStarted(source, stream string)
	PageCommitted(source, stream string, records, total int)
	StreamFinished(source, stream string, s StreamResult)
}

// StreamResult sums one stream's run.
type StreamResult struct {
	Source, Stream string
	Records        int64
	Deleted        int64
	Pages          int
	Duration       time.Duration
	Err            error
}

// Source is one configured source ready to read.
type Source struct {
	Name      string // the key under sources: in conflux.yaml
	Connector connectors.Connector
	// Streams limits the run; empty means all.
	Streams []string
}

// Run syncs every stream of src. A failed stream is recorded and the next
// stream still runs, except when the credentials are refused or ctx ends.
func Run(ctx context.Context, wh *warehouse.Warehouse, src Source, progress Progress, log *slog.Logger) ([]StreamResult, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var results []StreamResult
	var errs []error
	for _, st := range src.Connector.Streams() {
		if len(src.Streams) > 0 && !slices.Contains(src.Streams, st.Name) {
			continue
		}
		res := runStream(ctx, wh, src.Name, st, progress)
		results = append(results, res)
		if res.Err != nil {
			// Returned, not logged: the caller reports it once.
			errs = append(errs, res.Err)
			if errors.Is(res.Err, connectors.ErrAuth) || ctx.Err() != nil {
				break
			}
		} else {
			log.Info("synced", "source", src.Name, "stream", st.Name, "records", res.Records, "deleted", res.Deleted, "pages", res.Pages, "duration", res.Duration.Round(time.Millisecond))
		}
	}
	return results, errors.Join(errs...)
}

func runStream(ctx context.Context, wh *warehouse.Warehouse, source string, st connectors.Stream, progress Progress) StreamResult {
	res := StreamResult{Source: source, Stream: st.Name}
	start := time.Now()
	if progress != nil {
		progress.StreamStarted(source, st.Name)
	}
	finish := func(err error) StreamResult {
		res.Err, res.Duration = err, time.Since(start)
		if progress != nil {
			progress.StreamFinished(source, st.Name, res)
		}
		return res
	}
	if err := wh.EnsureRawTable(ctx, source, st.Name); err != nil {
		return finish(err)
	}
	from, err := wh.Cursor(ctx, source, st.Name)
	if err != nil {
		return finish(err)
	}
	run, err := wh.StartRun(ctx, source, st.Name)
	if err != nil {
		return finish(err)
	}
	seen := 0
	err = st.Read(ctx, connectors.Cursor(from), func(p connectors.Page) error {
		wp := warehouse.Page{Deleted: p.Deleted, Cursor: p.Next, Rows: make([]warehouse.Row, len(p.Records))}
		for i, r := range p.Records {
			wp.Rows[i] = warehouse.Row{ID: r.ID, UpdatedAt: r.UpdatedAt, Payload: r.Payload}
		}
		if p.Scan != nil {
			wp.ScanID, wp.ScanDone = p.Scan.ID, p.Scan.Done
			wp.ScanField, wp.ScanFrom = p.Scan.Field, p.Scan.From
		}
		pr, err := wh.CommitPage(ctx, source, st.Name, run, wp)
		if err != nil {
			return err
		}
		res.Records += pr.Upserted
		res.Deleted += pr.Deleted
		res.Pages++
		seen += len(p.Records)
		if progress != nil {
			progress.PageCommitted(source, st.Name, seen, p.Total)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("%s.%s: %w", source, st.Name, err)
	}
	if ferr := wh.FinishRun(run, err); ferr != nil && err == nil {
		err = ferr
	}
	return finish(err)
}
