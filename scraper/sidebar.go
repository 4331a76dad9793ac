package scraper

import (
	"strings"
)

// Field names an Author field that sidebar labels map onto.
type Field int

// Sidebar fields every engine maps its labels onto.
const (
	FieldExtra Field = iota
	FieldJoined
	FieldMessages
	FieldReaction
	FieldLocation
	FieldCountry
	FieldTitle
)

// labelFields maps lower-cased sidebar labels, in the languages forums ship, to fields.
// Everything else is kept under Author.Extras with its label as shown.
var labelFields = map[string]Field{
	"joined": FieldJoined, "join date": FieldJoined, "registered": FieldJoined, "member since": FieldJoined,
	"регистрация": FieldJoined, "зарегистрирован": FieldJoined, "registriert": FieldJoined, "registriert seit": FieldJoined,
	"dabei seit": FieldJoined, "mitglied seit": FieldJoined, "inscrit": FieldJoined, "inscription": FieldJoined, "inscrit le": FieldJoined,
	"registrado": FieldJoined, "registro": FieldJoined, "fecha de ingreso": FieldJoined, "iscritto": FieldJoined, "iscrizione": FieldJoined,
	"dołączył": FieldJoined, "rejestracja": FieldJoined, "lid sinds": FieldJoined, "geregistreerd": FieldJoined, "katılım": FieldJoined, "kayıt": FieldJoined,
	"messages": FieldMessages, "posts": FieldMessages, "total posts": FieldMessages, "post count": FieldMessages, "beiträge": FieldMessages,
	"сообщения": FieldMessages, "сообщений": FieldMessages, "messages postés": FieldMessages, "mensajes": FieldMessages, "mensagens": FieldMessages,
	"messaggi": FieldMessages, "posty": FieldMessages, "postów": FieldMessages, "posts:": FieldMessages, "berichten": FieldMessages, "mesajlar": FieldMessages, "mesaj": FieldMessages,
	"reaction score": FieldReaction, "likes received": FieldReaction, "reactions": FieldReaction, "реакции": FieldReaction, "симпатии": FieldReaction,
	"reaktionspunkte": FieldReaction, "erhaltene likes": FieldReaction, "score de réaction": FieldReaction, "puntuación de reacción": FieldReaction,
	"pontuação de reação": FieldReaction, "punteggio reazioni": FieldReaction, "wynik reakcji": FieldReaction, "reactiescore": FieldReaction, "tepki puanı": FieldReaction,
	"location": FieldLocation, "from": FieldLocation, "откуда": FieldLocation, "ort": FieldLocation, "wohnort": FieldLocation, "localisation": FieldLocation,
	"ubicación": FieldLocation, "localização": FieldLocation, "località": FieldLocation, "lokalizacja": FieldLocation, "locatie": FieldLocation, "konum": FieldLocation,
	"country": FieldCountry, "страна": FieldCountry, "land": FieldCountry, "pays": FieldCountry, "país": FieldCountry, "paese": FieldCountry, "kraj": FieldCountry, "ülke": FieldCountry,
	"rank": FieldTitle, "user title": FieldTitle,
}

// LabelField classifies a sidebar label such as "Messages:" or "Beiträge".
func LabelField(label string) Field {
	l := strings.ToLower(strings.TrimRight(Clean(label), ":： "))
	return labelFields[l]
}

// ApplySidebar stores one label/value pair on a, parsing counts and dates. A value the
// field cannot parse is kept under Extras so nothing shown is lost.
func ApplySidebar(a *Author, label, value string, in Input) {
	label = strings.TrimRight(Clean(label), ":： ")
	value = Clean(value)
	if label == "" || value == "" {
		return
	}
	switch LabelField(label) {
	case FieldJoined:
		a.JoinedText = Str(value)
		if d, ok := ParseJoined(value, in); ok {
			a.Joined = Str(d)
		}
		return
	case FieldMessages:
		if n, ok := ParseCount(value); ok {
			a.Messages = Int64(n)
			return
		}
	case FieldReaction:
		if n, ok := ParseCount(value); ok {
			a.ReactionScore = Int64(n)
			return
		}
	case FieldLocation:
		a.Location = Str(value)
		return
	case FieldCountry:
		a.Country = Str(value)
		return
	case FieldTitle:
		if a.Title == nil {
			a.Title = Str(value)
			return
		}
	}
	if a.Extras == nil {
		a.Extras = map[string]string{}
	}
	a.Extras[label] = value
}
