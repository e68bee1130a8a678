package alerts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Subject is the one line a digest is known by.
func (m Message) Subject(org string) string {
	counts := map[string]int{}
	for _, n := range m.Notices {
		counts[n.Kind]++
	}
	var parts []string
	for _, k := range []string{New, Worse, Repeat, Resolved} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	noun := "alerts"
	if len(m.Notices) == 1 {
		noun = "alert"
		return fmt.Sprintf("[Conflux] %s: %s (%s)", org, m.Notices[0].Title, m.Notices[0].Kind)
	}
	return fmt.Sprintf("[Conflux] %s: %d %s — %s", org, len(m.Notices), noun, strings.Join(parts, ", "))
}

// groups are the notices by kind, in the order a reader wants them.
func (m Message) groups() []group {
	by := map[string][]Notice{}
	for _, n := range m.Notices {
		by[n.Kind] = append(by[n.Kind], n)
	}
	var out []group
	for _, k := range []string{New, Worse, Repeat, Resolved} {
		if len(by[k]) > 0 {
			out = append(out, group{Kind: k, Notices: by[k]})
		}
	}
	return out
}

type group struct {
	Kind    string
	Notices []Notice
}

func (g group) Heading() string {
	return map[string]string{New: "New", Worse: "Worse", Repeat: "Still open", Resolved: "Resolved"}[g.Kind]
}

// absolute makes a link absolute against the server's address.
func absolute(base, link string) string {
	if link == "" || strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
		return link
	}
	return strings.TrimSuffix(base, "/") + link
}

func amountText(n Notice) string {
	if n.Amount == nil || *n.Amount == 0 {
		return ""
	}
	return grouped.Sprintf("%.2f", *n.Amount)
}

// grouped writes 20,000.50: amounts read as money in a mail.
var grouped = message.NewPrinter(language.English)

// Text is the plain-text body of a digest.
func (m Message) Text(org, base string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Conflux alerts for %s\n", org)
	for _, g := range m.groups() {
		fmt.Fprintf(&b, "\n%s\n", g.Heading())
		for _, n := range g.Notices {
			fmt.Fprintf(&b, "- [%s] %s", n.Severity, n.Title)
			if n.Detail != "" {
				fmt.Fprintf(&b, " — %s", n.Detail)
			}
			if l := absolute(base, n.Link); l != "" {
				fmt.Fprintf(&b, "\n  %s", l)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\nEvery alert, and acknowledge or snooze: %s\n", absolute(base, "/alerts"))
	return b.String()
}

var mailPage = template.Must(template.New("alerts").Funcs(template.FuncMap{"abs": absolute, "amount": amountText}).Parse(`<!doctype html>
<html><body style="font:14px/1.45 Arial,Helvetica,sans-serif;color:#1d2430;margin:0;padding:16px">
<h2 style="font-size:17px;margin:0 0 8px">Conflux alerts for {{.Org}}</h2>
{{range .Groups}}<h3 style="font-size:15px;margin:16px 0 4px">{{.Heading}}</h3>
<table cellpadding="4" cellspacing="0" style="border-collapse:collapse;width:100%">
{{range .Notices}}<tr><td style="border-bottom:1px solid #e6e8eb;width:70px;color:{{if eq .Severity "critical"}}#b42318{{else if eq .Severity "warning"}}#b54708{{else}}#475467{{end}}">{{.Severity}}</td>
<td style="border-bottom:1px solid #e6e8eb">{{with abs $.Base .Link}}<a href="{{.}}">{{end}}{{.Title}}{{if .Link}}</a>{{end}}{{with .Detail}}<br><span style="color:#555">{{.}}</span>{{end}}</td>
<td style="border-bottom:1px solid #e6e8eb;text-align:right">{{amount .}}</td></tr>
{{end}}</table>{{end}}
<p style="font-size:12px;color:#666;margin-top:16px"><a href="{{abs .Base "/alerts"}}">Every alert</a>: acknowledge or snooze them there.</p>
</body></html>`))

// HTML is the mail-safe HTML body of a digest (inline styles only).
func (m Message) HTML(org, base string) (string, error) {
	var b bytes.Buffer
	err := mailPage.Execute(&b, struct {
		Org, Base string
		Groups    []group
	}{org, base, m.groups()})
	return b.String(), err
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Slack is the body of a Slack incoming webhook: a fallback text and
// Block Kit sections with links back to the pages.
func (m Message) Slack(org, base string) ([]byte, error) {
	type text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type string `json:"type"`
		Text *text  `json:"text,omitempty"`
	}
	blocks := []block{{Type: "header", Text: &text{"plain_text", "Conflux alerts for " + org}}}
	for _, g := range m.groups() {
		var b strings.Builder
		fmt.Fprintf(&b, "*%s*", g.Heading())
		for _, n := range g.Notices {
			title := slackEscape(n.Title)
			if l := absolute(base, n.Link); l != "" {
				title = "<" + l + "|" + title + ">"
			}
			fmt.Fprintf(&b, "\n• [%s] %s", n.Severity, title)
			if n.Detail != "" {
				fmt.Fprintf(&b, " — %s", slackEscape(n.Detail))
			}
		}
		blocks = append(blocks, block{Type: "section", Text: &text{"mrkdwn", truncate(b.String(), 2900)}})
	}
	blocks = append(blocks, block{Type: "section", Text: &text{"mrkdwn", "<" + absolute(base, "/alerts") + "|Every alert>"}})
	return json.Marshal(map[string]any{"text": m.Subject(org), "blocks": blocks})
}

// Teams is the body of a Microsoft Teams incoming webhook (a Workflows
// "post to a channel when a webhook request is received"): one Adaptive
// Card.
func (m Message) Teams(org, base string) ([]byte, error) {
	body := []map[string]any{{"type": "TextBlock", "text": "Conflux alerts for " + org, "weight": "Bolder", "size": "Medium", "wrap": true}}
	for _, g := range m.groups() {
		body = append(body, map[string]any{"type": "TextBlock", "text": g.Heading(), "weight": "Bolder", "spacing": "Medium", "wrap": true})
		for _, n := range g.Notices {
			title := n.Title
			if l := absolute(base, n.Link); l != "" {
				title = "[" + strings.NewReplacer("[", "(", "]", ")").Replace(n.Title) + "](" + l + ")"
			}
			line := "**" + n.Severity + "** " + title
			if n.Detail != "" {
				line += " — " + n.Detail
			}
			body = append(body, map[string]any{"type": "TextBlock", "text": line, "wrap": true, "spacing": "Small"})
		}
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4", "body": body,
		"actions": []map[string]any{{"type": "Action.OpenUrl", "title": "Every alert", "url": absolute(base, "/alerts")}},
	}
	return json.Marshal(map[string]any{"type": "message", "attachments": []map[string]any{{
		"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card}}})
}

// WebhookAlert is one alert in the generic webhook's JSON body.
type WebhookAlert struct {
	Rule      string    `json:"rule"`
	Key       string    `json:"key"`
	Kind      string    `json:"kind"` // new, worse, still open, resolved
	Severity  string    `json:"severity"`
	Title     string    `json:"title"`
	Detail    string    `json:"detail,omitempty"`
	Link      string    `json:"link,omitempty"`
	Level     int       `json:"level"`
	Amount    *float64  `json:"amount,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
}

// WebhookBody is the generic webhook's JSON body.
type WebhookBody struct {
	Org    string         `json:"org"`
	SentAt time.Time      `json:"sent_at"`
	Alerts []WebhookAlert `json:"alerts"`
}

// Webhook is the generic JSON body.
func (m Message) Webhook(org, base string, now time.Time) ([]byte, error) {
	b := WebhookBody{Org: org, SentAt: now}
	for _, n := range m.Notices {
		b.Alerts = append(b.Alerts, WebhookAlert{Rule: n.Rule, Key: n.Key, Kind: n.Kind, Severity: n.Severity, Title: n.Title,
			Detail: n.Detail, Link: absolute(base, n.Link), Level: n.Level, Amount: n.Amount, FirstSeen: n.FirstSeen})
	}
	sort.SliceStable(b.Alerts, func(i, j int) bool { return b.Alerts[i].Level > b.Alerts[j].Level })
	return json.Marshal(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
