package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/docs"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

// routeList is the server's routes, one a line, for --help.
func routeList() string {
	var b strings.Builder
	for _, r := range dashboards.Routes() {
		fmt.Fprintf(&b, "  %-30s %s\n", strings.TrimSuffix(strings.Replace(r.Pattern, "{$}", "", 1), " "), r.Doc)
	}
	return strings.TrimRight(b.String(), "\n")
}

func newServeCmd(g *globals) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the dashboards and API; sync and build on a schedule",
		Long: `Serve opens the warehouse and keeps it: DuckDB allows one process per file,
so the server also runs the scheduled refresh (sync, then build) every
server.refresh, and on POST /api/refresh or the Refresh button. While it
runs, 'conflux sync', 'conflux build' and 'conflux query' in another shell
hand their work to it.

Routes:
` + routeList(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if listen != "" {
				cfg.Server.Listen = listen
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			wh, err := warehouse.Open(ctx, cfg.Warehouse)
			if err != nil {
				return err
			}
			defer wh.Close()
			return serve(ctx, cfg, wh, false, nil, cmd.OutOrStdout(), g.logger())
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (default server.listen, 127.0.0.1:8080)")
	return cmd
}

// lineWriter collects what a refresh prints, line by line.
type lineWriter struct {
	mu    gosync.Mutex
	buf   bytes.Buffer
	lines []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			break
		}
		w.lines = append(w.lines, strings.TrimRight(line, "\n"))
	}
	return len(p), nil
}

func refresher(cfg *config.Config, wh *warehouse.Warehouse, log *slog.Logger) dashboards.Refresher {
	return func(ctx context.Context, req dashboards.RefreshRequest) dashboards.RefreshResult {
		res := dashboards.RefreshResult{Started: time.Now().UTC()}
		out := &lineWriter{}
		var errs []error
		if req.Sync {
			srcs, err := selectSources(cfg, req.Sources)
			if err == nil {
				err = runSync(ctx, cfg, wh, srcs, req.Streams, &lineProgress{w: out, last: map[string]time.Time{}}, log)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		if req.Build {
			if err := runBuild(ctx, wh, cfg, buildOptions{force: req.Force, timings: req.Timings}, out, log); err != nil {
				errs = append(errs, err)
			}
		}
		res.Finished, res.Lines = time.Now().UTC(), out.lines
		if err := errors.Join(errs...); err != nil {
			res.Error = err.Error()
			log.Error("refresh failed", "error", err)
		}
		return res
	}
}

// serve runs the dashboards on the open warehouse until ctx ends.
func serve(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, fallbackPort bool, outbox http.Handler, out io.Writer, log *slog.Logger) error {
	cat, err := reports.Load()
	if err != nil {
		return err
	}
	token := cfg.Server.Token
	if token == "" {
		token = newToken()
	}
	sections, err := docs.Build()
	if err != nil {
		return err
	}
	var defs strings.Builder
	if err := docs.HTML(&defs, sections); err != nil {
		return err
	}
	if err := cfg.Server.CheckListen(cfg.Path, cfg.Server.Listen); err != nil {
		return usageError{err}
	}
	if err := checkAlertRules(ctx, cfg, wh); err != nil {
		return usageError{err}
	}
	// Nothing a user's query reaches past the tables: no other file, no
	// extension, no ATTACH, no setting changed — for as long as this runs.
	dirs := []string{filepath.Dir(cfg.Warehouse), filepath.Dir(cfg.Path), os.TempDir()}
	if err := wh.Lock(ctx, dirs); err != nil {
		return err
	}
	scheme := "http"
	if cfg.Server.TLSCert != "" {
		scheme = "https"
	}
	opts := dashboards.Options{Warehouse: wh, Reports: cat, Refresh: refresher(cfg, wh, log), Token: token, Org: cfg.Org.Name, Logger: log, Mappings: cfg.Mappings,
		Definitions: template.HTML(defs.String()), Auth: cfg.Server.Auth, Users: auth.NewStore(wh.DB()), SessionTTL: cfg.Server.SessionTTL,
		PublicURL: cfg.Server.PublicURL, Secure: scheme == "https" || strings.HasPrefix(cfg.Server.PublicURL, "https://"), Outbox: outbox,
		AlertRecipients: map[string][]string{}}
	for _, rule := range cfg.Alerts.Rules {
		opts.AlertRecipients[rule.Name] = rule.To
	}
	opts.Inputs = inputStore(cfg, wh)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil && fallbackPort {
		host, _, _ := net.SplitHostPort(cfg.Server.Listen)
		fmt.Fprintf(out, "%s is in use; taking a free port instead\n", cfg.Server.Listen)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return usageError{fmt.Errorf("server.listen %s: %w (choose another address with --listen or server.listen)", cfg.Server.Listen, err)}
	}
	url := scheme + "://" + ln.Addr().String()
	if cfg.Server.Auth == config.AuthOIDC {
		base := cfg.Server.PublicURL
		if base == "" {
			base = url
		}
		o := cfg.Server.OIDC
		if opts.OIDC, err = auth.NewOIDC(ctx, o.Issuer, o.ClientID, o.ClientSecret, base+"/auth/oidc/callback", o.AllowedDomains); err != nil {
			ln.Close()
			return err
		}
	}
	srv, err := dashboards.New(opts)
	if err != nil {
		ln.Close()
		return err
	}
	if err := writeServerInfo(cfg, serverInfo{URL: url, Token: token, PID: os.Getpid()}); err != nil {
		return err
	}
	defer os.Remove(serverInfoPath(cfg))

	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		httpSrv.Shutdown(shutdown)
	}()
	if cfg.Server.Refresh > 0 && len(cfg.Sources) > 0 {
		go func() {
			t := time.NewTicker(cfg.Server.Refresh)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					srv.Refresh(ctx, dashboards.RefreshRequest{Sync: true, Build: true})
				}
			}
		}()
	}
	go runSchedule(ctx, cfg, wh, log)
	fmt.Fprintf(out, "Conflux is serving %s at %s (Ctrl-C to stop; refresh every %s)\n", cfg.Org.Name, url, cfg.Server.Refresh)
	serveErr := func() error {
		if cfg.Server.TLSCert != "" {
			return httpSrv.ServeTLS(ln, cfg.Server.TLSCert, cfg.Server.TLSKey)
		}
		return httpSrv.Serve(ln)
	}
	if err := serveErr(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
