package demo

import (
	"strings"
	"time"

	pd "github.com/conflux-dev/conflux/connectors/pipedrive/pipedrivefake"
)

// PipedriveToken is the demo user's API token.
const PipedriveToken = "demo-pipedrive-token"

// PipedriveProjectField is the demo's "Project code" custom field key.
const PipedriveProjectField = "5f1c3a9b2d4e6f708192a3b4c5d6e7f809a1b2c3"

// LoadPipedrive puts the agency's sales in a Pipedrive fake: users, its
// clients as organizations, one pipeline whose open stages carry the
// probabilities, and every deal (won and lost by status) with the project
// code of a won deal in a custom field.
func (a *Agency) LoadPipedrive(f *pd.Server) {
	stamp := a.Start.Add(9 * time.Hour).Format(time.RFC3339)
	var users []map[string]any
	for _, p := range a.People {
		users = append(users, map[string]any{"id": p.ID, "name": p.First + " " + p.Last, "email": p.Email, "active_flag": true, "is_deleted": false})
	}
	f.SetUsers(users)
	f.Put("pipelines", map[string]any{"id": 1, "name": "Sales", "is_deleted": false, "update_time": stamp})
	stage := map[string]int{}
	for i, st := range DealStages[:3] {
		stage[st.Name] = i + 1
		f.Put("stages", map[string]any{"id": i + 1, "name": st.Name, "pipeline_id": 1, "order_nr": i + 1,
			"deal_probability": int(st.Probability * 100), "is_deleted": false, "update_time": stamp})
	}
	f.Put("dealFields", map[string]any{"id": 9001, "key": PipedriveProjectField, "name": "Project code", "field_type": "varchar"})
	for _, c := range a.Clients[:len(a.Clients)-1] {
		f.Put("organizations", map[string]any{"id": c.ID, "name": c.crmName(), "owner_id": a.People[0].ID, "is_deleted": false,
			"add_time": stamp, "update_time": stamp})
	}
	codes := map[int64]string{}
	for _, p := range a.Projects {
		codes[p.ID] = p.Code
	}
	f.Put("persons")
	f.Put("deals/archived")
	for _, d := range a.Deals {
		updated := d.CloseDate.Add(12 * time.Hour)
		if updated.After(a.Options.End) {
			updated = a.Options.End.Add(12 * time.Hour)
		}
		deal := map[string]any{"id": d.ID, "title": d.Name, "value": float64(d.AmountCents) / 100, "currency": "GBP",
			"org_id": d.ClientID, "owner_id": d.OwnerID, "pipeline_id": 1, "probability": nil, "is_deleted": false, "is_archived": false,
			"expected_close_date": d.CloseDate.Format(time.DateOnly), "add_time": d.CloseDate.AddDate(0, -2, 0).Format(time.RFC3339),
			"update_time": updated.Format(time.RFC3339), "custom_fields": map[string]any{}}
		switch {
		case d.Stage == "Closed won":
			deal["status"], deal["stage_id"] = "won", 3
			deal["won_time"] = d.CloseDate.Format(time.RFC3339)
			deal["custom_fields"] = map[string]any{PipedriveProjectField: codes[d.ProjectID]}
		case strings.HasSuffix(d.Stage, "lost"):
			deal["status"], deal["stage_id"] = "lost", 1
			deal["lost_time"] = d.CloseDate.Format(time.RFC3339)
		default:
			deal["status"], deal["stage_id"] = "open", stage[d.Stage]
		}
		f.Put("deals", deal)
	}
}
