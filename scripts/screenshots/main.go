// Command screenshots photographs every dashboard of a running Conflux
// server in headless Chromium for the README: `make screenshots` starts the
// demo and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18088", "the server to photograph")
	out := flag.String("out", "docs/screenshots", "folder for the JPEGs")
	only := flag.String("pages", "overview,leadership,finance,capacity,ops,project,weekly-report", "which pages to photograph")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1400, 1000))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	for _, page := range []struct{ name, path string }{
		{"overview", "/"}, {"leadership", "/leadership"}, {"finance", "/finance"},
		{"capacity", "/capacity"}, {"ops", "/ops"}, {"project", "/projects/harvest:7019"}, {"weekly-report", "/reports/weekly"},
	} {
		if !slices.Contains(strings.Split(*only, ","), page.name) {
			continue
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(*base+page.path),
			chromedp.WaitReady(chromedp.CSS("body")),
			chromedp.Sleep(1500*time.Millisecond), // let the charts draw
		)
		var shot []byte
		if err == nil {
			shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(60))
		}
		if err != nil {
			log.Fatalf("%s: %v", page.path, err)
		}
		file := filepath.Join(*out, page.name+".jpg")
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %d KB\n", file, len(shot)/1024)
	}
}
