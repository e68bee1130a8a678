// Package outbox is the demo's post room: a real SMTP server
// (emersion/go-smtp) and a webhook receiver on 127.0.0.1 that keep every
// message they are sent, and pages that show them, so the demo's alerts
// and scheduled reports can be followed offline from rule to inbox.
package outbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one mail or post received.
type Message struct {
	ID       string // the mail's Message-ID, or post-N
	Kind     string // mail, or the path a post came to
	At       time.Time
	From, To string
	Subject  string
	Text     string
	HTML     string
	Files    []string
}

// Outbox keeps what its servers receive.
type Outbox struct {
	mu   sync.Mutex
	msgs []Message

	smtp     *smtp.Server
	http     *http.Server
	SMTPAddr string // host:port of the mail server
	HookURL  string // base URL of the webhook receiver
}

// Start listens on two free ports of 127.0.0.1.
func Start() (*Outbox, error) {
	o := &Outbox{}
	o.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{o: o}, nil }))
	o.smtp.Domain = "localhost"
	o.smtp.ReadTimeout, o.smtp.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o.SMTPAddr = ln.Addr().String()
	go o.smtp.Serve(ln)
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		o.smtp.Close()
		return nil, err
	}
	o.HookURL = "http://" + hl.Addr().String()
	o.http = &http.Server{Handler: http.HandlerFunc(o.receive), ReadHeaderTimeout: 10 * time.Second}
	go o.http.Serve(hl)
	return o, nil
}

// Close stops both servers.
func (o *Outbox) Close() {
	o.smtp.Close()
	o.http.Close()
}

// Messages are what was received, newest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Message, len(o.msgs))
	for i, m := range o.msgs {
		out[len(o.msgs)-1-i] = m
	}
	return out
}

func (o *Outbox) add(m Message) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if m.ID == "" {
		m.ID = fmt.Sprintf("post-%d", len(o.msgs)+1)
	}
	o.msgs = append(o.msgs, m)
	return m.ID
}

// receive takes a Slack, Teams or webhook post and answers with its id,
// which the sender records.
func (o *Outbox) receive(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	var summary struct {
		Text string `json:"text"`
	}
	json.Unmarshal(body, &summary)
	id := o.add(Message{Kind: r.URL.Path, At: time.Now(), To: r.URL.Path, Subject: summary.Text, Text: pretty.String()})
	fmt.Fprint(w, id)
}

type session struct {
	o    *Outbox
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Reset()                                      { s.from, s.to = "", nil }
func (s *session) Logout() error                               { return nil }
func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	m := Message{ID: msg.Header.Get("Message-ID"), Kind: "mail", At: time.Now(), From: s.from, To: strings.Join(s.to, ", "), Subject: subject}
	if err := m.parts(msg.Header.Get("Content-Type"), msg.Body, ""); err != nil {
		return err
	}
	s.o.add(m)
	return nil
}

// parts keeps the text and HTML bodies and the attachments' names.
func (m *Message) parts(contentType string, body io.Reader, disposition string) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.parts(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Disposition")); err != nil {
				return err
			}
		}
	}
	if strings.HasPrefix(disposition, "attachment") {
		_, dp, _ := mime.ParseMediaType(disposition)
		m.Files = append(m.Files, dp["filename"])
		return nil
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text += string(b)
	case "text/html":
		m.HTML += string(b)
	}
	return nil
}

var list = template.Must(template.New("outbox").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>Outbox · Conflux demo</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2430}td,th{padding:4px 8px;border-bottom:1px solid #e6e8eb;text-align:left}pre{background:#f5f6f8;padding:12px;white-space:pre-wrap}</style></head><body>
<p><a href="/alerts">← Alerts</a></p>
{{with .One}}<h1>{{.Subject}}</h1>
<p>{{.Kind}} to {{.To}} at {{.At.Format "2006-01-02 15:04:05"}}{{with .Files}}; attached: {{range .}}{{.}} {{end}}{{end}}</p>
{{if .HTML}}<p><a href="/outbox/?id={{.ID}}&amp;part=html">Open the HTML as the recipient sees it</a></p>{{end}}
<pre>{{.Text}}</pre>
{{else}}<h1>The demo's outbox</h1>
<p>Every mail and webhook post the demo's alerts and scheduled reports sent, as an in-process mail server and webhook receiver took them.</p>
<table><tr><th>When</th><th>What</th><th>To</th><th>Subject</th></tr>
{{range .All}}<tr><td>{{.At.Format "15:04:05"}}</td><td>{{.Kind}}</td><td>{{.To}}</td><td><a href="/outbox/?id={{.ID}}">{{or .Subject "(no subject)"}}</a></td></tr>{{else}}<tr><td colspan="4">Nothing yet.</td></tr>{{end}}
</table>{{end}}</body></html>`))

// ServeHTTP lists the messages, or shows one (?id=), or one's HTML part
// (&part=html) in a sandbox: it is mail, not a page of this site.
func (o *Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	all := o.Messages()
	data := struct {
		All []Message
		One *Message
	}{All: all}
	if id != "" {
		for i := range all {
			if all[i].ID == id {
				data.One = &all[i]
			}
		}
		if data.One == nil {
			http.Error(w, "no such message in the outbox", http.StatusNotFound)
			return
		}
		if r.URL.Query().Get("part") == "html" {
			w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, data.One.HTML)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	list.Execute(w, data)
}
