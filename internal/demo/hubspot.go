package demo

import (
	"fmt"
	"strconv"
	"time"

	hs "github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
)

// HubSpotToken is the demo private app's token.
const HubSpotToken = "demo-hubspot-token"

// LoadHubSpot puts the agency's sales in a HubSpot fake: owners (the
// people who sell), its clients as companies, one pipeline, and every deal
// with its company; won deals carry the project code they became.
func (a *Agency) LoadHubSpot(f *hs.Server) {
	stamp := a.Start.Add(9 * time.Hour)
	var owners []map[string]any
	for _, p := range a.People {
		owners = append(owners, map[string]any{"id": strconv.FormatInt(p.ID, 10), "email": p.Email, "firstName": p.First, "lastName": p.Last,
			"userId": p.ID, "archived": false, "type": "PERSON", "createdAt": stamp.Format(time.RFC3339), "updatedAt": stamp.Format(time.RFC3339)})
	}
	f.SetOwners(owners)
	var stages []hs.Stage
	for i, st := range DealStages {
		stages = append(stages, hs.Stage{ID: fmt.Sprintf("stage%d", i+1), Label: st.Name, Probability: strconv.FormatFloat(st.Probability, 'f', 1, 64), IsClosed: st.Closed})
	}
	f.SetStages(stages)
	stageID := map[string]string{}
	for i, st := range DealStages {
		stageID[st.Name] = fmt.Sprintf("stage%d", i+1)
	}
	for _, c := range a.Clients[:len(a.Clients)-1] {
		f.Put("companies", hs.Object{ID: strconv.FormatInt(c.ID, 10), Created: stamp, Updated: stamp,
			Properties: map[string]string{"name": c.crmName(), "domain": lower(firstWord(c.Name)) + ".example"}})
	}
	codes := map[int64]string{}
	for _, p := range a.Projects {
		codes[p.ID] = p.Code
	}
	for _, d := range a.Deals {
		props := map[string]string{"dealname": d.Name, "amount": strconv.FormatFloat(float64(d.AmountCents)/100, 'f', -1, 64),
			"deal_currency_code": "GBP", "closedate": d.CloseDate.Format("2006-01-02T15:04:05.000Z"), "pipeline": "default",
			"dealstage": stageID[d.Stage], "hubspot_owner_id": strconv.FormatInt(d.OwnerID, 10)}
		if d.ProjectID != 0 {
			props["project_code"] = codes[d.ProjectID]
		}
		updated := d.CloseDate.Add(12 * time.Hour)
		if updated.After(a.Options.End) {
			updated = a.Options.End.Add(12 * time.Hour)
		}
		f.Put("deals", hs.Object{ID: strconv.FormatInt(d.ID, 10), Created: d.CloseDate.AddDate(0, -2, 0), Updated: updated,
			Properties: props, Companies: []string{strconv.FormatInt(d.ClientID, 10)}})
	}
	f.Put("line_items")
}
