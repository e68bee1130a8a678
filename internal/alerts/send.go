package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/conflux-dev/conflux/internal/config"
)

// deliver sends one message, retrying with back-off; it never returns
// the channel's URL or the mail password in an error.
func (e *Engine) deliver(ctx context.Context, m Message, now time.Time) Delivery {
	d := Delivery{Message: m, Subject: m.Subject(e.Org)}
	send := func() (string, error) { return "", fmt.Errorf("unknown channel %s", m.Target) }
	switch m.Channel {
	case "email":
		to := strings.TrimPrefix(m.Target, "email:")
		send = func() (string, error) {
			text := m.Text(e.Org, e.BaseURL)
			html, err := m.HTML(e.Org, e.BaseURL)
			if err != nil {
				return "", err
			}
			return Mailer{SMTP: e.Config.SMTP}.Send(ctx, Mail{To: []string{to}, Subject: d.Subject, Text: text, HTML: html, Date: now})
		}
	default:
		i := slices.IndexFunc(e.Config.Channels, func(c config.Channel) bool { return c.Name == m.Target })
		if i < 0 {
			break
		}
		ch := e.Config.Channels[i]
		send = func() (string, error) {
			var body []byte
			var err error
			switch ch.Type {
			case "slack":
				body, err = m.Slack(e.Org, e.BaseURL)
			case "teams":
				body, err = m.Teams(e.Org, e.BaseURL)
			default:
				body, err = m.Webhook(e.Org, e.BaseURL, now)
			}
			if err != nil {
				return "", err
			}
			return e.post(ctx, ch, body, now)
		}
	}
	backoff := e.Backoff
	if backoff == nil {
		backoff = []time.Duration{time.Second, 4 * time.Second}
	}
	for {
		d.Attempts++
		d.MessageID, d.Err = send()
		if d.Err == nil || d.Attempts > len(backoff) || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(backoff[d.Attempts-1]):
		case <-ctx.Done():
		}
	}
	if d.Err != nil {
		e.log().Warn("alert not delivered", "to", m.Target, "attempts", d.Attempts, "error", d.Err)
	}
	return d
}

// Signature is the generic webhook's X-Conflux-Signature for a body sent
// at the Unix time ts: sha256= and the hex HMAC-SHA256 of "ts.body".
func Signature(secret string, ts int64, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(h, "%d.", ts)
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// post sends a chat or webhook body. Errors name the channel, never its
// URL: the URL holds the token.
func (e *Engine) post(ctx context.Context, ch config.Channel, body []byte, now time.Time) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%s channel %s: the url is not valid", ch.Type, ch.Name)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Conflux")
	if ch.Type == "webhook" {
		ts := now.Unix()
		req.Header.Set("X-Conflux-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Conflux-Signature", Signature(ch.Secret, ts, body))
	}
	client := e.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return "", fmt.Errorf("%s channel %s: %v", ch.Type, ch.Name, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("%s channel %s: HTTP %d %s", ch.Type, ch.Name, resp.StatusCode, strings.TrimSpace(string(reply)))
	}
	return strings.TrimSpace(string(reply)), nil
}

// Mail is one message to send.
type Mail struct {
	To          []string
	Subject     string
	Text, HTML  string
	Attachments []Attachment
	Date        time.Time
}

// Attachment is a file attached to a mail.
type Attachment struct {
	Name, Type string
	Body       []byte
}

// Mailer sends through alerts.smtp.
type Mailer struct{ SMTP config.SMTP }

// Send delivers m and returns its Message-ID.
func (ml Mailer) Send(ctx context.Context, m Mail) (string, error) {
	s := ml.SMTP
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return "", fmt.Errorf("alerts.smtp.from %q: %v", s.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	id := "<" + randomHex(12) + "@" + domain + ">"
	body, err := m.bytes(s.From, id)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("smtp %s: %v", addr, opErr(err))
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	tlsConfig := &tls.Config{ServerName: s.Host}
	var c *smtp.Client
	switch s.TLS {
	case "implicit":
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case "starttls":
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
	default:
		c = smtp.NewClient(conn)
	}
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("smtp %s: %v", addr, err)
	}
	defer c.Close()
	if s.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.User, s.Password)); err != nil {
			return "", fmt.Errorf("smtp %s: sign-in as %s refused: %v", addr, s.User, err)
		}
	}
	if err := c.SendMail(from.Address, m.To, bytes.NewReader(body)); err != nil {
		return "", fmt.Errorf("smtp %s: %v", addr, err)
	}
	c.Quit()
	return id, nil
}

// opErr drops the address net repeats: the error already names it.
func opErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// bytes is the message in RFC 5322 form: text and HTML alternatives, and
// the attachments.
func (m Mail) bytes(from, id string) ([]byte, error) {
	var b bytes.Buffer
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from)
	h("To", strings.Join(m.To, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", date.Format(time.RFC1123Z))
	h("Message-ID", id)
	h("MIME-Version", "1.0")
	mixed := multipart.NewWriter(&b)
	h("Content-Type", `multipart/mixed; boundary="`+mixed.Boundary()+`"`)
	b.WriteString("\r\n")
	var alt bytes.Buffer
	altW := multipart.NewWriter(&alt)
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if part.body == "" {
			continue
		}
		w, err := altW.CreatePart(textproto.MIMEHeader{"Content-Type": {part.typ + "; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(part.body))
		qp.Close()
	}
	altW.Close()
	w, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + altW.Boundary() + `"`}})
	if err != nil {
		return nil, err
	}
	w.Write(alt.Bytes())
	for _, a := range m.Attachments {
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {a.Type},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Body)
		for len(enc) > 76 {
			fmt.Fprintf(w, "%s\r\n", enc[:76])
			enc = enc[76:]
		}
		fmt.Fprintf(w, "%s\r\n", enc)
	}
	mixed.Close()
	return b.Bytes(), nil
}
