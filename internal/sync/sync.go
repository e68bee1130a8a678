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
	if err := wh.PruneRuns(ctx, src.Name, time.Now()); err != nil {
		// The history only: the sync goes on.
		log.Warn("sync history not pruned", "error", err)
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
	// The warehouse commits on a goroutine of its own while the connector
	// reads on: pages read during a commit wait in queue, and the next
	// commit takes them together (see committer).
	cm := &committer{wh: wh, source: source, stream: st.Name, run: run, progress: progress,
		queue: make(chan queued, queuedPages), done: make(chan struct{})}
	go cm.loop(ctx)
	err = st.Read(ctx, connectors.Cursor(from), func(p connectors.Page) error {
		wp := warehouse.Page{Deleted: p.Deleted, Cursor: p.Next, Rows: make([]warehouse.Row, len(p.Records))}
		for i, r := range p.Records {
			wp.Rows[i] = warehouse.Row{ID: r.ID, UpdatedAt: r.UpdatedAt, Payload: r.Payload}
		}
		if p.Scan != nil {
			wp.ScanID, wp.ScanDone = p.Scan.ID, p.Scan.Done
			wp.ScanField, wp.ScanFrom = p.Scan.Field, p.Scan.From
		}
		select {
		case cm.queue <- queued{wp, p.Total}:
			return nil
		case <-cm.done:
			return cm.err
		}
	})
	// The pages read before a failure are whole: they are committed, and
	// the next run resumes after them.
	close(cm.queue)
	<-cm.done
	if cm.err != nil {
		err = cm.err
	}
	res.Records, res.Deleted, res.Pages = cm.res.Upserted, cm.res.Deleted, cm.pages
	if err != nil {
		err = fmt.Errorf("%s.%s: %w", source, st.Name, err)
	}
	if ferr := wh.FinishRun(run, err); ferr != nil && err == nil {
		err = ferr
	}
	return finish(err)
}

// Queued pages are bounded, and so is what one commit takes.
const (
	queuedPages = 16
	groupRows   = 20_000
)

// queued is a page waiting for its commit, with the vendor's count of the
// pass's records for progress (0 when unknown).
type queued struct {
	warehouse.Page
	total int
}

// committer writes the pages of one stream's run in order. Each commit
// takes the first page waiting and every page queued behind it that can
// share its transaction, up to groupRows records: one transaction costs
// about as much for 2,000 records as for 20,000, so a commit that falls
// behind the reader catches up. The last page's cursor is saved with
// them, so a sync killed at any moment still resumes after the last
// committed page.
type committer struct {
	wh             *warehouse.Warehouse
	source, stream string
	run            int64
	progress       Progress
	queue          chan queued
	done           chan struct{} // closed when loop returns
	err            error         // why loop stopped early; read after done
	res            warehouse.PageResult
	pages, seen    int
	commits        int
}

func (c *committer) loop(ctx context.Context) {
	defer close(c.done)
	var held *queued // taken from the queue, for the next commit
	for {
		var group []queued
		if held != nil {
			group, held = append(group, *held), nil
		} else if q, ok := <-c.queue; ok {
			group = append(group, q)
		} else {
			return
		}
		rows := len(group[0].Rows)
	gather:
		for rows < groupRows && !endsCommit(group[len(group)-1].Page) {
			select {
			case q, ok := <-c.queue:
				if !ok {
					break gather
				}
				if !sameScan(group[0].Page, q.Page) {
					held = &q
					break gather
				}
				group, rows = append(group, q), rows+len(q.Rows)
			default:
				break gather
			}
		}
		if err := c.commit(ctx, group); err != nil {
			c.err = err
			return
		}
	}
}

// commit writes group as one page of the warehouse.
func (c *committer) commit(ctx context.Context, group []queued) error {
	merged := group[0].Page
	if len(group) > 1 {
		merged.Rows, merged.Deleted = nil, nil
		for _, q := range group {
			merged.Rows = append(merged.Rows, q.Rows...)
			merged.Deleted = append(merged.Deleted, q.Deleted...)
			if q.Cursor != nil {
				merged.Cursor = q.Cursor
			}
		}
		merged.ScanDone = group[len(group)-1].ScanDone
	}
	merged.Pages = len(group)
	pr, err := c.wh.CommitPage(ctx, c.source, c.stream, c.run, merged)
	if err != nil {
		return err
	}
	c.commits++
	c.res.Upserted += pr.Upserted
	c.res.Deleted += pr.Deleted
	for _, q := range group {
		c.pages++
		c.seen += len(q.Rows)
		if c.progress != nil {
			c.progress.PageCommitted(c.source, c.stream, c.seen, q.total)
		}
	}
	return nil
}

// endsCommit reports whether page p must be the last of its commit: its
// tombstones and the end of its scan apply after every record before them,
// and none after.
func endsCommit(p warehouse.Page) bool {
	return len(p.Deleted) > 0 || p.ScanDone
}

// sameScan reports whether two pages belong to the same read, so their
// records join one scan's key set (or none).
func sameScan(a, b warehouse.Page) bool {
	return a.ScanID == b.ScanID && a.ScanField == b.ScanField && a.ScanFrom == b.ScanFrom
}
