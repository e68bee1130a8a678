package demo

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/connectors/asana/asanafake"
	"github.com/conflux-dev/conflux/connectors/clockify/clockifyfake"
	"github.com/conflux-dev/conflux/connectors/forecast/forecastfake"
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
	"github.com/conflux-dev/conflux/connectors/pipedrive/pipedrivefake"
	"github.com/conflux-dev/conflux/connectors/productive/productivefake"
	"github.com/conflux-dev/conflux/connectors/quickbooks/quickbooksfake"
	"github.com/conflux-dev/conflux/connectors/toggl/togglfake"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
	"github.com/conflux-dev/conflux/internal/oauthfake"
)

// Fakes are the vendor APIs serving an agency on loopback.
type Fakes struct {
	Harvest       *harvestfake.Server
	HarvestURL    string // base URL including /v2
	Forecast      *forecastfake.Server
	ForecastURL   string
	Clockify      *clockifyfake.Server
	ClockifyURL   string // base URL including /api/v1
	Toggl         *togglfake.Server
	TogglURL      string
	Jira          *jirafake.Server
	JiraURL       string
	Asana         *asanafake.Server
	AsanaURL      string
	Productive    *productivefake.Server
	ProductiveURL string
	Xero          *xerofake.Server
	XeroURL       string
	HubSpot       *hubspotfake.Server
	HubSpotURL    string
	Pipedrive     *pipedrivefake.Server
	PipedriveURL  string
	QuickBooks    *quickbooksfake.Server
	QuickBooksURL string
	// The OAuth servers behind Xero and QuickBooks: they issue and rotate
	// refresh tokens as the vendors do (Xero with its 30-minute grace).
	XeroOAuth, QuickBooksOAuth *oauthfake.Server
	URL                        string // the fakes' root
	srv                        *http.Server
	ln                         net.Listener
}

// Stacks are the tools the demo can serve its time and people through.
var Stacks = []string{"harvest", "clockify", "toggl", "jira", "asana", "productive", "harvest+jira"}

// StartFakes serves the agency through each vendor's fake on 127.0.0.1.
func StartFakes(a *Agency, opts ...FakeOption) (*Fakes, error) {
	hv := harvestfake.New(HarvestToken, HarvestAccount)
	if err := a.LoadHarvest(hv); err != nil {
		return nil, err
	}
	fc := forecastfake.New(HarvestToken, ForecastAccount)
	a.LoadForecast(fc)
	cf := clockifyfake.New(ClockifyKey, ClockifyWorkspace)
	a.LoadClockify(cf)
	tg := togglfake.New(TogglToken, TogglWorkspaceInfo)
	a.LoadToggl(tg)
	jr := jirafake.New(JiraEmail, JiraToken)
	a.LoadJira(jr)
	as := asanafake.New(AsanaToken, AsanaWorkspace)
	a.LoadAsana(as)
	pr := productivefake.New(ProductiveToken, ProductiveOrganization)
	a.LoadProductive(pr)
	xo := oauthfake.New("demo-xero-client", "demo-xero-secret")
	xo.ExpiresIn, xo.Grace = 1800, 30*time.Minute
	xr := xerofake.New(XeroTenant, a.Name, func(tok string) bool { return tok == XeroToken || xo.Valid(tok) })
	a.LoadXero(xr)
	hb := hubspotfake.New(func(tok string) bool { return tok == HubSpotToken })
	a.LoadHubSpot(hb)
	pdf := pipedrivefake.New(PipedriveToken)
	a.LoadPipedrive(pdf)
	qo := oauthfake.New("demo-qbo-client", "demo-qbo-secret")
	qbf := quickbooksfake.New(QuickBooksRealm, func(tok string) bool { return tok == QuickBooksToken || qo.Valid(tok) })
	a.LoadQuickBooks(qbf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/harvest/", http.StripPrefix("/harvest", hv))
	mux.Handle("/forecast/", http.StripPrefix("/forecast", fc))
	mux.Handle("/clockify/", http.StripPrefix("/clockify", cf))
	mux.Handle("/toggl/", http.StripPrefix("/toggl", tg))
	mux.Handle("/jira/", http.StripPrefix("/jira", jr))
	mux.Handle("/asana/", http.StripPrefix("/asana", as))
	mux.Handle("/productive/", http.StripPrefix("/productive", pr))
	mux.Handle("/xero/", http.StripPrefix("/xero", xr))
	mux.Handle("/hubspot/", http.StripPrefix("/hubspot", hb))
	mux.Handle("/pipedrive/", http.StripPrefix("/pipedrive", pdf))
	mux.Handle("/quickbooks/", http.StripPrefix("/quickbooks", qbf))
	mux.Handle("/oauth/xero/", http.StripPrefix("/oauth/xero", xo))
	mux.Handle("/oauth/quickbooks/", http.StripPrefix("/oauth/quickbooks", qo))
	f := &Fakes{Harvest: hv, Forecast: fc, Clockify: cf, Toggl: tg, Jira: jr, Asana: as, Productive: pr, Xero: xr, HubSpot: hb, Pipedrive: pdf, QuickBooks: qbf,
		XeroOAuth: xo, QuickBooksOAuth: qo, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	f.URL = "http://" + ln.Addr().String()
	f.HarvestURL = "http://" + ln.Addr().String() + "/harvest/v2"
	f.ForecastURL = "http://" + ln.Addr().String() + "/forecast"
	f.ClockifyURL = "http://" + ln.Addr().String() + "/clockify/api/v1"
	f.TogglURL = "http://" + ln.Addr().String() + "/toggl"
	f.JiraURL = "http://" + ln.Addr().String() + "/jira"
	f.AsanaURL = "http://" + ln.Addr().String() + "/asana/api/1.0"
	f.ProductiveURL = "http://" + ln.Addr().String() + "/productive/api/v2"
	f.XeroURL = "http://" + ln.Addr().String() + "/xero/api.xro/2.0"
	f.HubSpotURL = "http://" + ln.Addr().String() + "/hubspot"
	f.PipedriveURL = "http://" + ln.Addr().String() + "/pipedrive"
	f.QuickBooksURL = "http://" + ln.Addr().String() + "/quickbooks"
	for _, o := range opts {
		o(f)
	}
	go f.srv.Serve(ln)
	return f, nil
}

// FakeOption sets the fakes up before they serve.
type FakeOption func(*Fakes)

// Unlimited lifts every fake's request budget, for benchmarks: they
// measure Conflux, not a vendor's quota.
func Unlimited(f *Fakes) {
	f.Harvest.RateLimit = 0
	f.Toggl.RateLimit, f.Toggl.HourlyQuota = 0, 0
	f.Clockify.RateLimit = 0
	f.Productive.PerTenSeconds = 0
	f.Asana.PerMinute = 0
}

// Close stops the fakes.
func (f *Fakes) Close() error { return f.srv.Close() }

// Config is a conflux.yaml that syncs the agency from the fakes of the
// chosen stack: one time tool (of Stacks), optionally with "xero" as the
// ledger, e.g. "harvest,xero".
func (f *Fakes) Config(a *Agency, stack, listen string) ([]byte, error) {
	var sources string
	timeTools := 0
	for _, tool := range strings.Split(stack, ",") {
		switch strings.TrimSpace(tool) {
		case "harvest":
			sources += fmt.Sprintf(`  harvest:
    type: harvest
    account_id: "%s"
    token: %s
    base_url: %s
  forecast:                        # Harvest's resourcing plan: who is booked on what, ahead
    type: forecast
    account_id: "%s"
    token: %s
    base_url: %s
`, HarvestAccount, HarvestToken, f.HarvestURL, ForecastAccount, HarvestToken, f.ForecastURL)
		case "clockify":
			sources += fmt.Sprintf(`  clockify:
    type: clockify
    workspace_id: %s
    api_key: %s
    base_url: %s
`, ClockifyWorkspace, ClockifyKey, f.ClockifyURL)
		case "toggl":
			sources += fmt.Sprintf(`  toggl:
    type: toggl
    workspace_id: "%d"
    api_token: %s
    base_url: %s
    start_date: %s
    page_size: "1000"
`, TogglWorkspace, TogglToken, f.TogglURL, a.Start.Format(time.DateOnly))
		case "harvest+jira":
			// Two time tools: designers and PMs in Harvest, developers
			// and QA in Jira (Agency.SplitHarvestJira).
			if a.Split == nil {
				return nil, fmt.Errorf("--stack %q: the agency was not split between Harvest and Jira (Agency.SplitHarvestJira)", stack)
			}
			sources += fmt.Sprintf(`  harvest:                         # designers, PMs and strategists log here
    type: harvest
    account_id: "%s"
    token: %s
    base_url: %s
  forecast:
    type: forecast
    account_id: "%s"
    token: %s
    base_url: %s
  jira:                            # developers and QA log worklogs here; Harvest for Jira copies some into Harvest
    type: jira
    base_url: %s
    email: %s
    api_token: %s
`, HarvestAccount, HarvestToken, f.HarvestURL, ForecastAccount, HarvestToken, f.ForecastURL, f.JiraURL, JiraEmail, JiraToken)
		case "jira":
			sources += fmt.Sprintf(`  jira:
    type: jira
    base_url: %s
    email: %s
    api_token: %s
`, f.JiraURL, JiraEmail, JiraToken)
		case "asana":
			sources += fmt.Sprintf(`  asana:
    type: asana
    workspace_id: "%s"
    token: %s
    base_url: %s
    start_date: %s
`, AsanaWorkspace, AsanaToken, f.AsanaURL, a.Start.Format(time.DateOnly))
		case "productive":
			sources += fmt.Sprintf(`  productive:
    type: productive
    organization_id: "%s"
    token: %s
    base_url: %s
`, ProductiveOrganization, ProductiveToken, f.ProductiveURL)
		case "xero":
			sources += fmt.Sprintf(`  xero:
    type: xero
    auth: oauth2
    client_id: demo-xero-client
    client_secret: demo-xero-secret
    auth_url: %[1]s/oauth/xero/authorize
    token_url: %[1]s/oauth/xero/token
    connections_url: %[1]s/xero/connections
    base_url: %[2]s
`, f.URL, f.XeroURL)
			continue
		case "quickbooks":
			sources += fmt.Sprintf(`  quickbooks:
    type: quickbooks
    auth: oauth2
    client_id: demo-qbo-client
    client_secret: demo-qbo-secret
    auth_url: %[1]s/oauth/quickbooks/authorize
    token_url: %[1]s/oauth/quickbooks/token
    base_url: %[2]s
`, f.URL, f.QuickBooksURL)
			continue
		case "pipedrive":
			sources += fmt.Sprintf(`  pipedrive:
    type: pipedrive
    api_token: %s
    base_url: %s
`, PipedriveToken, f.PipedriveURL)
			continue
		case "hubspot":
			sources += fmt.Sprintf(`  hubspot:
    type: hubspot
    token: %s
    base_url: %s
`, HubSpotToken, f.HubSpotURL)
			continue
		default:
			return nil, fmt.Errorf("--stack %q: the demo serves time through one of %v, optionally with hubspot or pipedrive (CRM) and xero or quickbooks (ledger): harvest,hubspot,xero", stack, Stacks)
		}
		timeTools++
	}
	if timeTools != 1 {
		return nil, fmt.Errorf("--stack %q: name exactly one time tool (%v); the agency's time would otherwise be counted twice", stack, Stacks)
	}
	source := sources
	return fmt.Appendf(nil, `# Written by conflux demo: a synthetic agency served by built-in fake vendor APIs.
org:
  name: %s
  timezone: Europe/London
  currency: %s
  holidays: [%s]
  as_of: %s                   # the gaps ledger's checks run as of the agency's last day
warehouse: conflux.duckdb
gaps:
  closed_grace_days: 30            # the agency bills a project's final month in the next cycle
finance:
  overhead_per_hour: 12            # rent, software and back office per worked client hour
  monthly_overhead: %d          # sales, leadership and G&A per month (£45,000 for 40 people)
pipeline:                          # how open deals turn into demand on each role
  blended_rate: 115
  default_weeks: 8
  role_mix: {Designer: 0.3, Developer: 0.4, Project Manager: 0.1, Strategist: 0.1, QA Engineer: 0.1}
sources:
%sserver:
  listen: %s
  refresh: 1h
`, a.Name, a.Currency, a.Calendar, a.Options.End.Format(time.DateOnly), 45000*a.Options.People/40, source, listen), nil
}
