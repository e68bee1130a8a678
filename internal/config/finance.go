package config

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Finance holds the money facts no source keeps (metrics §3–5): what people
// cost, the rate cards, overhead, and each project's commercial terms.
type Finance struct {
	// OverheadPerHour is allocated to every worked client hour for the fully
	// loaded margin (metrics §3.3b, §5.4).
	OverheadPerHour float64
	// FacilityPerHour is the part of overhead internal hours carry (rent,
	// software): Productive's facility rate (§3.3b). Internal time gets
	// this alone, client time OverheadPerHour.
	FacilityPerHour float64
	// MonthlyOverhead is the agency's operating overhead per month
	// (sales, G&A, rent, tools) for the agency P&L (§5.1).
	MonthlyOverhead float64
	// ExpenseMarkup is added to rebillable expenses when they are billed (§4.2).
	ExpenseMarkup float64
	// TargetUtilization is the billable target on available hours (§2.6); default 0.75.
	TargetUtilization float64
	// Targets are billable targets per role, over TargetUtilization.
	Targets   map[string]float64
	Costs     []Cost
	RateCards []RateCard
	Projects  []ProjectTerms
	// FXRates is a CSV file of from,to,date,rate read at build time (§9.4).
	FXRates string
	// ApprovedOnly keeps finance views to approved or locked time (§9.9).
	ApprovedOnly bool
}

// Cost is what a person (or everyone in a role) costs from a date (§3.3a).
type Cost struct {
	Person, Role  string
	Team          string  // the person's team (who a lead sees, team margins); default their role
	Salary        float64 // annual base
	Burden        float64 // employer taxes and benefits as a fraction of salary
	OverheadShare float64 // annual overhead allocated to the person (breakeven, §3.3c)
	From          time.Time
	NonDelivery   bool // payroll sits in operating overhead (§5.1)
	Line          int
}

// RateCard is a bill rate per role: card "list" is the company's rack rate,
// any other card names a client (§3.1 steps 5–6).
type RateCard struct {
	Card, Role string
	Rate       float64
	From       time.Time
}

// ProjectTerms sets a project's billing model and terms by its code.
type ProjectTerms struct {
	Code            string
	BillingModel    string
	RetainerFee     float64 // per month
	RetainerHours   float64 // hours sold per month
	RolloverCapH    float64 // unused hours that roll into the next month, at most
	OverageRate     float64 // hours beyond the bank billed at this rate; 0 = overservice
	PercentComplete float64 // PM-reported, 0..1; negative when not given
	Cap             float64 // not-to-exceed amount of a capped T&M project; 0 = none
	// Milestones recognise a fixed fee at customer acceptance instead of by
	// percent complete (§4.5).
	Milestones []Milestone
}

// Milestone is an amount of a fixed fee recognised when accepted.
type Milestone struct {
	Name     string
	Accepted time.Time // zero while not accepted
	Amount   float64
}

// Pipeline shapes the demand that open deals put on capacity (§7.4).
type Pipeline struct {
	BlendedRate     float64            // deal amount ÷ this = hours when a deal has no estimate
	DefaultWeeks    int                // delivery window of a deal without an estimate
	TentativeWeight *float64           // weight of tentative bookings; nil means 1.0
	RoleMix         map[string]float64 // share of a deal's hours per role
	Deals           []DealEstimate
}

// DealEstimate is a sales estimate of one deal's work.
type DealEstimate struct {
	Deal  string // deal key (hubspot:123) or the deal's name
	Hours float64
	Weeks int
	Roles map[string]float64
}

// FXRate is one row of the fx_rates CSV: 1 From = Rate To on Date.
type FXRate struct {
	From, To string
	Date     time.Time
	Rate     float64
}

func (p *parser) number(key string, n *yaml.Node, lo, hi float64, hint string) (float64, bool) {
	v, ok := p.str(key, n)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		p.fail(n, key, "%q %s", v, hint)
		return 0, false
	}
	return f, true
}

func (p *parser) boolean(key string, n *yaml.Node) (bool, bool) {
	v, ok := p.str(key, n)
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(n, key, "%q must be true or false", v)
		return false, false
	}
	return b, true
}

func (p *parser) setNumber(dst *float64, lo, hi float64, hint string) func(string, *yaml.Node) {
	return func(k string, n *yaml.Node) {
		if f, ok := p.number(k, n, lo, hi, hint); ok {
			*dst = f
		}
	}
}

func (p *parser) list(key string, n *yaml.Node, what string, each func(*yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, key, "expected a list of %s", what)
		return
	}
	for _, item := range n.Content {
		each(item)
	}
}

func (p *parser) shares(key string, n *yaml.Node) map[string]float64 {
	out := map[string]float64{}
	if n.Kind != yaml.MappingNode {
		p.fail(n, key, "expected role: share pairs, e.g. {Designer: 0.25, Developer: 0.75}")
		return out
	}
	sum := 0.0
	for i := 0; i+1 < len(n.Content); i += 2 {
		f, ok := p.number(join(key, n.Content[i].Value), n.Content[i+1], 0, 1, "must be a share between 0 and 1")
		if ok {
			out[n.Content[i].Value] = f
			sum += f
		}
	}
	if sum > 1.0001 {
		p.fail(n, key, "shares add up to %.2f; they must add up to 1 at most", sum)
	}
	return out
}

const money = "must be an amount of at least 0 in org.currency"

func (p *parser) finance(key string, n *yaml.Node, f *Finance) {
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"overhead_per_hour":  p.setNumber(&f.OverheadPerHour, 0, 1e6, money),
		"facility_per_hour":  p.setNumber(&f.FacilityPerHour, 0, 1e6, money),
		"monthly_overhead":   p.setNumber(&f.MonthlyOverhead, 0, 1e12, money),
		"expense_markup":     p.setNumber(&f.ExpenseMarkup, 0, 10, "must be a fraction such as 0.10 for 10%"),
		"target_utilization": p.setNumber(&f.TargetUtilization, 0.01, 1.5, "must be a fraction of available hours such as 0.75"),
		"targets": func(k string, n *yaml.Node) {
			f.Targets = map[string]float64{}
			if n.Kind != yaml.MappingNode {
				p.fail(n, k, "expected role: target pairs, e.g. {Designer: 0.8, Project Manager: 0.5}")
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if v, ok := p.number(join(k, n.Content[i].Value), n.Content[i+1], 0, 1.5, "must be a fraction of available hours such as 0.75"); ok {
					f.Targets[n.Content[i].Value] = v
				}
			}
		},
		"fx_rates": func(k string, n *yaml.Node) {
			f.FXRates, _ = p.str(k, n)
		},
		"approved_only": func(k string, n *yaml.Node) {
			if b, ok := p.boolean(k, n); ok {
				f.ApprovedOnly = b
			}
		},
		"costs": func(k string, n *yaml.Node) {
			p.list(k, n, "{person or role, salary, burden, overhead_share, from}", func(item *yaml.Node) {
				c := Cost{Line: item.Line}
				p.mapping(item, k, map[string]func(string, *yaml.Node){
					"person":         func(k string, n *yaml.Node) { c.Person, _ = p.str(k, n); c.Person = strings.ToLower(c.Person) },
					"role":           func(k string, n *yaml.Node) { c.Role, _ = p.str(k, n) },
					"team":           func(k string, n *yaml.Node) { c.Team, _ = p.str(k, n) },
					"salary":         p.setNumber(&c.Salary, 0, 1e9, money),
					"burden":         p.setNumber(&c.Burden, 0, 5, "must be a fraction of salary such as 0.25 (from payroll)"),
					"overhead_share": p.setNumber(&c.OverheadShare, 0, 1e9, money),
					"from":           func(k string, n *yaml.Node) { c.From, _ = p.date(k, n) },
					"delivery": func(k string, n *yaml.Node) {
						if b, ok := p.boolean(k, n); ok {
							c.NonDelivery = !b
						}
					},
				})
				if (c.Person == "") == (c.Role == "") {
					p.fail(item, k, "each cost names exactly one of person (an email) or role")
					return
				}
				if c.Salary == 0 {
					p.fail(item, k+".salary", "required: the annual base salary")
					return
				}
				f.Costs = append(f.Costs, c)
			})
		},
		"rate_cards": func(k string, n *yaml.Node) {
			p.list(k, n, "{card, role, rate, from}", func(item *yaml.Node) {
				r := RateCard{Card: "list"}
				p.mapping(item, k, map[string]func(string, *yaml.Node){
					"card": func(k string, n *yaml.Node) { r.Card, _ = p.str(k, n) },
					"role": func(k string, n *yaml.Node) { r.Role, _ = p.str(k, n) },
					"rate": p.setNumber(&r.Rate, 0, 1e6, money),
					"from": func(k string, n *yaml.Node) { r.From, _ = p.date(k, n) },
				})
				if r.Role == "" || r.Rate == 0 {
					p.fail(item, k, "each rate card row needs role and rate (card defaults to list; name a client for its own card)")
					return
				}
				f.RateCards = append(f.RateCards, r)
			})
		},
		"projects": func(k string, n *yaml.Node) {
			p.list(k, n, "{code, billing_model, retainer, percent_complete}", func(item *yaml.Node) {
				t := ProjectTerms{PercentComplete: -1}
				p.mapping(item, k, map[string]func(string, *yaml.Node){
					"code": func(k string, n *yaml.Node) { t.Code, _ = p.str(k, n) },
					"billing_model": func(k string, n *yaml.Node) {
						v, _ := p.str(k, n)
						switch v {
						case "tm", "fixed_fee", "retainer", "non_billable":
							t.BillingModel = v
						default:
							p.fail(n, k, "%q is not a billing model (tm, fixed_fee, retainer or non_billable)", v)
						}
					},
					"percent_complete": p.setNumber(&t.PercentComplete, 0, 1, "must be a fraction between 0 and 1"),
					"cap":              p.setNumber(&t.Cap, 0.01, 1e12, "must be the not-to-exceed amount of a capped T&M project"),
					"milestones": func(k string, n *yaml.Node) {
						p.list(k, n, "{name, amount, accepted}", func(item *yaml.Node) {
							var ms Milestone
							p.mapping(item, k, map[string]func(string, *yaml.Node){
								"name":     func(k string, n *yaml.Node) { ms.Name, _ = p.str(k, n) },
								"amount":   p.setNumber(&ms.Amount, 0.01, 1e12, money),
								"accepted": func(k string, n *yaml.Node) { ms.Accepted, _ = p.date(k, n) },
							})
							if ms.Amount == 0 {
								p.fail(item, k+".amount", "required: the part of the fee this milestone earns")
								return
							}
							t.Milestones = append(t.Milestones, ms)
						})
						if t.BillingModel == "" {
							t.BillingModel = "fixed_fee"
						}
					},
					"retainer": func(k string, n *yaml.Node) {
						p.mapping(n, k, map[string]func(string, *yaml.Node){
							"monthly_fee":    p.setNumber(&t.RetainerFee, 0, 1e9, money),
							"hours":          p.setNumber(&t.RetainerHours, 0.01, 10000, "must be the hours sold per month"),
							"rollover_cap_h": p.setNumber(&t.RolloverCapH, 0, 10000, "must be hours (0: use it or lose it)"),
							"overage_rate":   p.setNumber(&t.OverageRate, 0.01, 1e6, "must be the hourly rate billed for hours beyond the bank"),
						})
						if t.BillingModel == "" {
							t.BillingModel = "retainer"
						}
					},
				})
				if t.Code == "" {
					p.fail(item, k+".code", "required: the project code as the time or project tool shows it")
					return
				}
				if t.BillingModel == "retainer" && t.RetainerFee == 0 {
					p.fail(item, k+".retainer", "a retainer needs monthly_fee (and hours for an hours bank; without them it is a stand-ready fee)")
					return
				}
				f.Projects = append(f.Projects, t)
			})
		},
	})
}

func (p *parser) pipeline(key string, n *yaml.Node, pl *Pipeline) {
	p.mapping(n, key, map[string]func(string, *yaml.Node){
		"blended_rate": p.setNumber(&pl.BlendedRate, 0.01, 1e6, money),
		"tentative_weight": func(k string, n *yaml.Node) {
			if f, ok := p.number(k, n, 0, 1, "must be between 0 and 1 (default 1.0)"); ok {
				pl.TentativeWeight = &f
			}
		},
		"default_weeks": func(k string, n *yaml.Node) {
			if f, ok := p.number(k, n, 1, 260, "must be whole weeks between 1 and 260 (default 8)"); ok {
				pl.DefaultWeeks = int(f)
			}
		},
		"role_mix": func(k string, n *yaml.Node) { pl.RoleMix = p.shares(k, n) },
		"deals": func(k string, n *yaml.Node) {
			p.list(k, n, "{deal, hours, weeks, roles}", func(item *yaml.Node) {
				d := DealEstimate{}
				p.mapping(item, k, map[string]func(string, *yaml.Node){
					"deal":  func(k string, n *yaml.Node) { d.Deal, _ = p.str(k, n) },
					"hours": p.setNumber(&d.Hours, 0.01, 1e6, "must be the estimated hours of the work"),
					"weeks": func(k string, n *yaml.Node) {
						if f, ok := p.number(k, n, 1, 260, "must be whole weeks between 1 and 260"); ok {
							d.Weeks = int(f)
						}
					},
					"roles": func(k string, n *yaml.Node) { d.Roles = p.shares(k, n) },
				})
				if d.Deal == "" {
					p.fail(item, k+".deal", "required: the deal's key (hubspot:123) or its name")
					return
				}
				pl.Deals = append(pl.Deals, d)
			})
		},
	})
}

// ReadFXRates reads a CSV of from,to,date,rate (a header row is allowed):
// 1 unit of from is rate units of to on date.
func ReadFXRates(path string) ([]FXRate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Key: "finance.fx_rates", Msg: fmt.Sprintf("%v (write a CSV of from,to,date,rate or remove the key)", err)}
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	rows, err := r.ReadAll()
	if err != nil {
		return nil, &Error{File: path, Key: "finance.fx_rates", Msg: fmt.Sprintf("%v (each row is from,to,date,rate)", err)}
	}
	var out []FXRate
	for i, row := range rows {
		if i == 0 && strings.EqualFold(strings.TrimSpace(row[0]), "from") {
			continue
		}
		from, to := strings.ToUpper(strings.TrimSpace(row[0])), strings.ToUpper(strings.TrimSpace(row[1]))
		d, derr := time.Parse(time.DateOnly, strings.TrimSpace(row[2]))
		rate, rerr := strconv.ParseFloat(strings.TrimSpace(row[3]), 64)
		if !currencyRE.MatchString(from) || !currencyRE.MatchString(to) || derr != nil || rerr != nil || rate <= 0 {
			return nil, &Error{File: path, Line: i + 1, Key: "finance.fx_rates", Msg: fmt.Sprintf("%q is not from,to,date,rate (e.g. USD,GBP,2026-01-05,0.79)", strings.Join(row, ","))}
		}
		out = append(out, FXRate{from, to, d, rate})
	}
	return out, nil
}

func resolveFX(dir string, f *Finance) {
	if f.FXRates != "" && !filepath.IsAbs(f.FXRates) {
		f.FXRates = filepath.Join(dir, f.FXRates)
	}
}
