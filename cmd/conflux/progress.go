package main

import (
	"fmt"
	"io"
	"os"
	gosync "sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/conflux-dev/conflux/internal/sync"
)

// newProgress draws a bar per stream on a terminal and writes plain lines
// otherwise (CI logs, pipes).
func newProgress(w *os.File) sync.Progress {
	if term.IsTerminal(int(w.Fd())) {
		return &barProgress{w: w, bars: map[string]*progressbar.ProgressBar{}}
	}
	return &lineProgress{w: w, last: map[string]time.Time{}}
}

type barProgress struct {
	w    io.Writer
	mu   gosync.Mutex
	bars map[string]*progressbar.ProgressBar
}

// StreamStarted starts the clock of the stream's bar; its length is known
// from the first page.
func (p *barProgress) StreamStarted(source, stream string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := source + "." + stream
	p.bars[key] = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(fmt.Sprintf("%-28s", key)),
		progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetElapsedTime(true))
}

func (p *barProgress) PageCommitted(source, stream string, records, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	bar := p.bars[source+"."+stream]
	if bar == nil {
		return
	}
	if want := int64(max(total, records)); total > 0 && want != bar.GetMax64() {
		bar.ChangeMax64(want)
	}
	bar.Set(records)
}

func (p *barProgress) StreamFinished(source, stream string, r sync.StreamResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := source + "." + stream
	if bar, ok := p.bars[key]; ok {
		if r.Err == nil {
			bar.Finish()
		}
		fmt.Fprintln(p.w)
	}
	writeStreamResult(p.w, r)
}

type lineProgress struct {
	w    io.Writer
	mu   gosync.Mutex
	last map[string]time.Time
}

func (p *lineProgress) StreamStarted(source, stream string) {}

func (p *lineProgress) PageCommitted(source, stream string, records, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := source + "." + stream
	if time.Since(p.last[key]) < 2*time.Second {
		return
	}
	p.last[key] = time.Now()
	if total > 0 {
		fmt.Fprintf(p.w, "%s: %d/%d records\n", key, records, total)
	} else {
		fmt.Fprintf(p.w, "%s: %d records\n", key, records)
	}
}

func (p *lineProgress) StreamFinished(source, stream string, r sync.StreamResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	writeStreamResult(p.w, r)
}

// writeStreamResult prints a finished stream; a failure is left to the
// caller's error, so it is said once.
func writeStreamResult(w io.Writer, r sync.StreamResult) {
	if r.Err != nil {
		return
	}
	fmt.Fprintf(w, "✓ %s.%s: %d records upserted, %d deleted, %d pages in %s\n", r.Source, r.Stream, r.Records, r.Deleted, r.Pages, r.Duration.Round(time.Millisecond))
}
