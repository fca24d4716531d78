package notice

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"github.com/google/uuid"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
)

// markdown renders bodies. Its defaults drop raw HTML ("<!-- raw HTML omitted -->"), so a body
// cannot carry scripts, forms or tracking pixels into a mailbox.
var markdown = goldmark.New()

// bodyHTML is the body as HTML, without raw HTML.
func bodyHTML(src string) (htmltemplate.HTML, error) {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		return "", err
	}
	return htmltemplate.HTML(b.String()), nil // goldmark escapes text and drops raw HTML
}

// bodyText is the body as plain text: paragraphs and headings as lines, list items with a dash,
// links as "text <url>", code as is; raw HTML dropped.
func bodyText(src string) string {
	source := []byte(src)
	doc := markdown.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	var walk func(n ast.Node, depth int)
	inline := func(n ast.Node) string {
		var s strings.Builder
		ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			switch c := c.(type) {
			case *ast.Text:
				if entering {
					s.Write(c.Segment.Value(source))
					if c.SoftLineBreak() || c.HardLineBreak() {
						s.WriteString("\n")
					}
				}
			case *ast.String:
				if entering {
					s.Write(c.Value)
				}
			case *ast.CodeSpan:
				if entering {
					for ch := c.FirstChild(); ch != nil; ch = ch.NextSibling() {
						if t, ok := ch.(*ast.Text); ok {
							s.Write(t.Segment.Value(source))
						}
					}
					return ast.WalkSkipChildren, nil
				}
			case *ast.Link:
				if !entering && string(c.Destination) != "" {
					fmt.Fprintf(&s, " <%s>", c.Destination)
				}
			case *ast.AutoLink:
				if entering {
					s.Write(c.URL(source))
				}
			case *ast.RawHTML:
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
		return s.String()
	}
	walk = func(n ast.Node, depth int) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Heading, *ast.Paragraph, *ast.TextBlock:
				if _, inList := n.(*ast.ListItem); !inList && b.Len() > 0 {
					b.WriteString("\n")
				}
				line := inline(c)
				if h, ok := c.(*ast.Heading); ok && h.Level <= 2 {
					line = strings.ToUpper(line)
				}
				b.WriteString(line + "\n")
			case *ast.List:
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				for item := c.FirstChild(); item != nil; item = item.NextSibling() {
					b.WriteString(strings.Repeat("  ", depth) + "- ")
					walk(item, depth+1)
				}
			case *ast.FencedCodeBlock, *ast.CodeBlock:
				b.WriteString("\n")
				lines := c.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.WriteString("    " + string(seg.Value(source)))
				}
			case *ast.ThematicBreak:
				b.WriteString("\n----\n")
			case *ast.HTMLBlock:
			default:
				walk(c, depth)
			}
		}
	}
	walk(doc, 0)
	return strings.TrimSpace(b.String()) + "\n"
}

// mailData is what a notice's mail shows.
type mailData struct {
	Notice     Notice
	Tags       []catalog.Entry
	Body       string
	BodyHTML   htmltemplate.HTML
	AckLink    string
	AckDueDA   string
	AckDueEN   string
	StartDA    string
	StartEN    string
	EndDA      string
	EndEN      string
	View       string
	Municipal  string
	KindDA     string
	KindEN     string
	FirstTitle string
}

var noticeText = template.Must(template.New("text").Parse(`{{.KindDA}} / {{.KindEN}}: {{.Notice.Title}}
Fra / From: {{.Notice.SenderName}}
{{range .Tags}}[{{.ID}}] {{.Name.DA}} / {{.Name.EN}}{{with .Description}}: {{.DA}} / {{.EN}}{{end}}
{{end}}{{if .AckLink}}
HØJ PRIORITET / HIGH PRIORITY
Kvittér senest {{.AckDueDA}} / Acknowledge by {{.AckDueEN}}:
{{.AckLink}}
{{end}}{{if .StartDA}}
Planlagt / Planned: {{.StartDA}} – {{.EndDA}} ({{.StartEN}} – {{.EndEN}}){{if .Notice.Emergency}}
Akut / Emergency: {{.Notice.EmergencyWhy}}{{end}}
{{end}}
{{.Body}}
--
Sendt til infrastrukturpostkassen for {{.Municipal}} af Servicekatalog. / Sent to the infrastructure mailbox of {{.Municipal}}.
Meddelelsen i Servicekatalog / The notice in Servicekatalog: id {{.Notice.ID}}, {{.View}}
`))

var noticeHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html lang="da"><body style="font-family: sans-serif; line-height: 1.45; max-width: 44rem">
<p style="color:#555">{{.KindDA}} / {{.KindEN}} · {{.Notice.SenderName}}</p>
<h2 style="margin-top:0">{{.Notice.Title}}</h2>
<p>{{range .Tags}}<span style="display:inline-block;border:1px solid #999;border-radius:3px;padding:0 .3em;margin-right:.3em"><b>{{.ID}}</b> {{.Name.DA}}</span>{{end}}</p>
{{if .AckLink}}<p style="background:#fde8e8;border-left:4px solid #c00;padding:.6em"><b>Høj prioritet / High priority.</b> Kvittér senest {{.AckDueDA}} / acknowledge by {{.AckDueEN}}:
<a href="{{.AckLink}}">Kvittér for modtagelsen / Acknowledge</a></p>{{end}}
{{if .StartDA}}<p><b>Planlagt / Planned:</b> {{.StartDA}} – {{.EndDA}}{{if .Notice.Emergency}}<br><b>Akut / Emergency:</b> {{.Notice.EmergencyWhy}}{{end}}</p>{{end}}
{{.BodyHTML}}
<hr style="border:0;border-top:1px solid #ddd;margin-top:1.5em">
<p style="color:#555;margin-bottom:.3em">Det forventes af jer / What is expected of you:</p>
<ul style="color:#555;margin-top:0">{{range $t := .Tags}}{{with $t.Description}}<li><b>{{$t.ID}}</b>: {{.DA}} / {{.EN}}</li>{{end}}{{end}}</ul>
<p style="color:#777;font-size:90%">Sendt til infrastrukturpostkassen for {{.Municipal}} af Servicekatalog. <a href="{{.View}}">Se meddelelsen i Servicekatalog</a> (id {{.Notice.ID}}).</p>
</body></html>
`))

var kindWords = map[Kind][2]string{First: {"Driftsmeddelelse", "Notice"}, Update: {"Opdatering", "Update"}, Closure: {"Afmelding", "Closed"}}

// composed is a notice's mail rendered once for all its recipients, with a placeholder for each
// part that differs between municipalities.
type composed struct {
	subject, text, html string
	ph                  [3]string // municipality, acknowledgement link, view link
}

// compose renders notice n's mail; the placeholders are random, so no notice can contain them.
func compose(n Notice, tags []catalog.Entry) (composed, error) {
	body, err := bodyHTML(n.Body)
	if err != nil {
		return composed{}, err
	}
	c := composed{subject: n.Subject}
	for i := range c.ph {
		c.ph[i] = "x" + strings.ReplaceAll(uuid.NewString(), "-", "")
	}
	d := mailData{Notice: n, Tags: tags, Body: bodyText(n.Body), BodyHTML: body, KindDA: kindWords[n.Kind][0], KindEN: kindWords[n.Kind][1],
		Municipal: c.ph[0], View: c.ph[2]}
	if n.AckDueAt != nil {
		d.AckDueDA, d.AckDueEN = delivery.When(*n.AckDueAt)
		d.AckLink = c.ph[1]
	}
	if n.PlannedStart != nil {
		d.StartDA, d.StartEN = delivery.When(*n.PlannedStart)
		d.EndDA, d.EndEN = delivery.When(*n.PlannedEnd)
	}
	var t, h strings.Builder
	if err := noticeText.Execute(&t, d); err != nil {
		return composed{}, err
	}
	if err := noticeHTML.Execute(&h, d); err != nil {
		return composed{}, err
	}
	c.text, c.html = t.String(), h.String()
	return c, nil
}

// message is the mail for one municipality; ackLink is empty unless it must acknowledge. The
// HTML gets the values escaped as html/template would have escaped them.
func (c composed) message(municipality, ackLink, view string) delivery.Message {
	esc := htmltemplate.HTMLEscapeString
	text := strings.NewReplacer(c.ph[0], municipality, c.ph[1], ackLink, c.ph[2], view)
	html := strings.NewReplacer(c.ph[0], esc(municipality), c.ph[1], esc(ackLink), c.ph[2], esc(view))
	return delivery.Message{Subject: c.subject, Text: text.Replace(c.text), HTML: html.Replace(c.html)}
}

var escalationText = template.Must(template.New("escalation").Parse(`{{.Municipality}} har ikke kvitteret for en driftsmeddelelse med høj prioritet.
{{.Municipality}} has not acknowledged a high-priority notice.

{{.Subject}}
Fra / From: {{.Sender}}
Skulle være kvitteret senest {{.DueDA}} / Was due by {{.DueEN}}

Du får denne mail som {{if .Second}}SPOC, stedfortræder eller sekretariatet (anden påmindelse){{else}}SPOC eller stedfortræder{{end}}.
You receive this as {{if .Second}}SPOC, deputy or the secretariat (second reminder){{else}}SPOC or deputy{{end}}.
Læs meddelelsen og kvittér i Servicekatalog / Read the notice and acknowledge it there
(kommune / municipality {{.Code}}, id {{.ID}}): {{.View}}
`))

// escalationMail is the mail of escalation step to the cover, the SPOCs and, at the second step,
// the secretariat.
func escalationMail(n Notice, m directory.Municipality, step int, due time.Time, view string) (delivery.Message, error) {
	da, en := delivery.When(due)
	var t strings.Builder
	err := escalationText.Execute(&t, map[string]any{"Municipality": m.Name + " (" + m.Code + ")", "Subject": n.Subject,
		"Sender": n.SenderName, "DueDA": da, "DueEN": en, "Second": step >= 2, "View": view, "Code": m.Code, "ID": n.ID})
	return delivery.Message{Subject: "[ESKALERING] ! " + m.Name + ": " + n.Subject,
		Headers: map[string]string{"Importance": "high", "X-Priority": "1 (Highest)", "Priority": "urgent", "Auto-Submitted": "auto-generated"},
		Text:    t.String()}, err
}
