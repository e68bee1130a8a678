package demo

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
)

// Fakes are the vendor APIs serving an agency on loopback.
type Fakes struct {
	Harvest    *harvestfake.Server
	HarvestURL string // base URL including /v2
	srv        *http.Server
	ln         net.Listener
}

// StartFakes serves the agency through each vendor's fake on 127.0.0.1.
func StartFakes(a *Agency) (*Fakes, error) {
	hv := harvestfake.New(HarvestToken, HarvestAccount)
	if err := a.LoadHarvest(hv); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/harvest/", http.StripPrefix("/harvest", hv))
	f := &Fakes{Harvest: hv, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	f.HarvestURL = "http://" + ln.Addr().String() + "/harvest/v2"
	go f.srv.Serve(ln)
	return f, nil
}

// Close stops the fakes.
func (f *Fakes) Close() error { return f.srv.Close() }

// Config is a conflux.yaml that points every source at the fakes.
func (f *Fakes) Config(a *Agency, listen string) []byte {
	return fmt.Appendf(nil, `# Written by conflux demo: a synthetic agency served by built-in fake vendor APIs.
org:
  name: %s
  timezone: Europe/London
  currency: %s
  holidays: [%s]
warehouse: conflux.duckdb
sources:
  harvest:
    type: harvest
    account_id: "%s"
    token: %s
    base_url: %s
server:
  listen: %s
  refresh: 1h
`, a.Name, a.Currency, a.Calendar, HarvestAccount, HarvestToken, f.HarvestURL, listen)
}
