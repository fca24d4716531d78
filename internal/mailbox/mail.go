package mailbox

import (
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
)

type linkMail struct {
	Municipality, Code, Address, Requester, Link, ExpiresDA, ExpiresEN string
}

var linkText = template.Must(template.New("text").Parse(`Hej

Denne adresse, {{.Address}}, er registreret som infrastrukturpostkasse for {{.Municipality}} ({{.Code}}) i Servicekatalog{{if .Requester}} af {{.Requester}}{{end}}.
Driftsmeddelelser fra de fælles driftsenheder sendes hertil, når adressen er bekræftet.

Bekræft adressen inden {{.ExpiresDA}}:
{{.Link}}

Linket åbner en side med en knap. Intet bekræftes, før du trykker på den.
Venter du ikke denne mail, så se bort fra den: adressen bliver ikke brugt.

---

Hello

This address, {{.Address}}, was registered as the infrastructure mailbox of {{.Municipality}} ({{.Code}}) in Servicekatalog{{if .Requester}} by {{.Requester}}{{end}}.
Notices from the shared IT service units are sent here once the address is confirmed.

Confirm it before {{.ExpiresEN}}:
{{.Link}}

The link opens a page with a button. Nothing is confirmed until you press it.
If you did not expect this mail, ignore it: the address will not be used.
`))

var linkHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html lang="da"><body style="font-family: sans-serif; line-height: 1.4">
<p>Hej</p>
<p>Denne adresse, <b>{{.Address}}</b>, er registreret som infrastrukturpostkasse for <b>{{.Municipality}} ({{.Code}})</b> i Servicekatalog{{if .Requester}} af {{.Requester}}{{end}}. Driftsmeddelelser fra de fælles driftsenheder sendes hertil, når adressen er bekræftet.</p>
<p><a href="{{.Link}}">Bekræft adressen</a> inden {{.ExpiresDA}}. Linket åbner en side med en knap; intet bekræftes, før du trykker på den.</p>
<p>Venter du ikke denne mail, så se bort fra den: adressen bliver ikke brugt.</p>
<hr>
<p lang="en">This address was registered as the infrastructure mailbox of {{.Municipality}} ({{.Code}}). <a href="{{.Link}}">Confirm it</a> before {{.ExpiresEN}}; the link opens a page with a button. If you did not expect this mail, ignore it.</p>
</body></html>
`))

// confirmationMail is the mail with the confirmation link for address.
func confirmationMail(m directory.Municipality, address, requester, link string, expires time.Time) (delivery.Message, error) {
	da, en := delivery.When(expires)
	data := linkMail{Municipality: m.Name, Code: m.Code, Address: address, Requester: requester, Link: link, ExpiresDA: da, ExpiresEN: en}
	var text, html strings.Builder
	if err := linkText.Execute(&text, data); err != nil {
		return delivery.Message{}, err
	}
	if err := linkHTML.Execute(&html, data); err != nil {
		return delivery.Message{}, err
	}
	return delivery.Message{Subject: "Bekræft infrastrukturpostkassen for " + m.Name + " / Confirm the infrastructure mailbox",
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}, Text: text.String(), HTML: html.String()}, nil
}
