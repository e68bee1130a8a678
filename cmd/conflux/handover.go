package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// serverInfo is written beside the warehouse while `conflux serve` holds
// it, so that commands in another shell can hand their work to the server.
type serverInfo struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

func serverInfoPath(cfg *config.Config) string { return cfg.Warehouse + ".server" }

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeServerInfo(cfg *config.Config, info serverInfo) error {
	body, _ := json.Marshal(info)
	return os.WriteFile(serverInfoPath(cfg), body, 0o600)
}

// runningServer finds the server that holds the warehouse, if any answers.
func runningServer(ctx context.Context, cfg *config.Config) (*serverInfo, error) {
	body, err := os.ReadFile(serverInfoPath(cfg))
	if err != nil {
		return nil, errors.New("no running `conflux serve` was found for it")
	}
	var info serverInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("%s is unreadable: %v", serverInfoPath(cfg), err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, info.URL+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the server recorded in %s (pid %d) does not answer at %s", serverInfoPath(cfg), info.PID, info.URL)
	}
	resp.Body.Close()
	return &info, nil
}

// withWarehouse opens the warehouse for fn; when a server holds it, the
// work is handed to the server through handOver instead.
func withWarehouse(ctx context.Context, cfg *config.Config, fn func(*warehouse.Warehouse) error, handOver func(*serverInfo) error) error {
	announced := handOver
	if handOver != nil {
		announced = func(info *serverInfo) error {
			fmt.Fprintf(os.Stderr, "conflux serve (pid %d) holds %s: handing the work to it at %s\n", info.PID, cfg.Warehouse, info.URL)
			return handOver(info)
		}
	}
	return useWarehouse(ctx, cfg, warehouse.Open, fn, announced)
}

// readWarehouse is withWarehouse for reading: the file must exist already,
// and it is opened read-only.
func readWarehouse(ctx context.Context, cfg *config.Config, fn func(*warehouse.Warehouse) error, handOver func(*serverInfo) error) error {
	if _, err := os.Stat(cfg.Warehouse); err != nil {
		return fmt.Errorf("warehouse %s does not exist yet: run `conflux sync` and `conflux build` first", cfg.Warehouse)
	}
	return useWarehouse(ctx, cfg, warehouse.OpenReadOnly, fn, handOver)
}

func useWarehouse(ctx context.Context, cfg *config.Config, open func(context.Context, string) (*warehouse.Warehouse, error),
	fn func(*warehouse.Warehouse) error, handOver func(*serverInfo) error) error {
	wh, err := open(ctx, cfg.Warehouse)
	var locked *warehouse.LockedError
	if errors.As(err, &locked) && handOver != nil {
		info, serr := runningServer(ctx, cfg)
		if serr != nil {
			return fmt.Errorf("%w (%v)", locked, serr)
		}
		return handOver(info)
	}
	if err != nil {
		return err
	}
	defer wh.Close()
	return fn(wh)
}

func postJSON(ctx context.Context, info *serverInfo, path string, body any) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, info.URL+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+info.Token)
	req.Header.Set("Content-Type", "application/json")
	return (&http.Client{Timeout: 6 * time.Hour}).Do(req)
}

// refreshOnServer asks the server to sync and/or build and prints its report.
func refreshOnServer(ctx context.Context, info *serverInfo, req dashboards.RefreshRequest, out io.Writer) error {
	resp, err := postJSON(ctx, info, "/api/refresh", req)
	if err != nil {
		return fmt.Errorf("hand over to %s: %w", info.URL, err)
	}
	defer resp.Body.Close()
	var res dashboards.RefreshResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("hand over to %s: HTTP %d: %v", info.URL, resp.StatusCode, err)
	}
	for _, l := range res.Lines {
		fmt.Fprintln(out, l)
	}
	if res.Error != "" {
		return errors.New(res.Error)
	}
	return nil
}
