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

// sidebarLabels lists, per field, the sidebar labels forums print in the ten languages
// forumarc reads (en, ru, de, fr, es, pt, it, pl, nl, tr), across XenForo, vBulletin,
// phpBB, SMF, MyBB and Invision phrasing. Labels not listed ("Points", "Баллы",
// vBulletin "Rep Power", MyBB "Reputation", "Threads") stay in Author.Extras: they
// are not the same measure on every forum.
var sidebarLabels = map[Field][]string{
	FieldJoined: {
		"joined", "join date", "joined on", "date joined", "registered", "registered on", "date registered", "member since", "registration date",
		"регистрация", "зарегистрирован", "зарегистрирована", "дата регистрации", "на форуме с",
		"registriert", "registriert seit", "registriert am", "dabei seit", "mitglied seit", "beigetreten", "anmeldedatum",
		"inscrit", "inscrit le", "inscription", "date d'inscription", "membre depuis", "inscrit depuis",
		"registrado", "registrado desde", "registro", "fecha de registro", "fecha de ingreso", "miembro desde", "se unió",
		"membro desde", "data de registro", "data de ingresso", "registrado em", "data de cadastro", "cadastrado", "cadastrado em", "entrou",
		"iscritto", "iscritto il", "iscritto dal", "iscrizione", "data iscrizione", "data di registrazione", "registrato",
		"dołączył", "dołączyła", "dołączył(a)", "rejestracja", "zarejestrowany", "data rejestracji", "członek od",
		"lid sinds", "geregistreerd", "geregistreerd op", "aangemeld", "registratiedatum",
		"katılım", "katılım tarihi", "kayıt", "kayıt tarihi", "üyelik tarihi", "üye olma tarihi",
	},
	FieldMessages: {
		"messages", "posts", "total posts", "post count", "message count", "posts count",
		"сообщения", "сообщений", "всего сообщений", "публикации",
		"beiträge", "beitraege", "nachrichten", "beiträge gesamt",
		"messages postés", "nombre de messages", "messages publiés",
		"mensajes", "publicaciones", "mensajes totales",
		"mensagens", "postagens", "publicações",
		"messaggi", "messaggi totali",
		"posty", "postów", "wiadomości", "liczba postów",
		"berichten", "posts totaal",
		"mesajlar", "mesaj", "ileti", "iletiler", "gönderiler",
	},
	FieldReaction: {
		"reaction score", "likes received", "reactions", "reactions received",
		"реакции", "симпатии", "рейтинг реакций", "получено лайков",
		"reaktionspunkte", "erhaltene likes", "likes erhalten", "reaktionen",
		"score de réaction", "réactions", "j'aime reçus", "score réaction",
		"puntuación de reacción", "reacciones", "me gusta recibidos",
		"pontuação de reação", "reações", "curtidas recebidas", "pontuação de reações",
		"punteggio reazioni", "punteggio reazione", "reazioni", "mi piace ricevuti",
		"wynik reakcji", "reakcje", "otrzymane polubienia",
		"reactiescore", "ontvangen likes",
		"tepki puanı", "tepkiler", "beğeniler", "alınan beğeniler",
	},
	FieldLocation: {
		"location", "from", "city", "residence",
		"откуда", "местоположение", "город", "местонахождение", "адрес",
		"ort", "wohnort", "herkunft", "standort",
		"localisation", "lieu", "ville", "résidence",
		"ubicación", "localización", "ciudad", "residencia",
		"localização", "localidade", "cidade", "de onde",
		"località", "provenienza", "città", "residenza",
		"lokalizacja", "skąd", "miejscowość", "miasto",
		"locatie", "woonplaats", "plaats",
		"konum", "yer", "nereden", "şehir",
	},
	FieldCountry: {
		"country", "страна", "land", "pays", "país", "paese", "nazione", "kraj", "ülke",
	},
	FieldTitle: {"rank", "user title"},
}

// labelFields maps folded labels (lower case, diacritics stripped) to fields.
var labelFields = func() map[string]Field {
	m := map[string]Field{}
	for f, labels := range sidebarLabels {
		for _, l := range labels {
			m[foldWord(l)] = f
		}
	}
	return m
}()

// LabelField classifies a sidebar label such as "Messages:", "Join Date" or
// "Beiträge". Case, surrounding colons and diacritics do not matter.
func LabelField(label string) Field {
	l := strings.Trim(Clean(label), ":：-–· ")
	if l == "" {
		return FieldExtra
	}
	return labelFields[foldWord(l)]
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
	a.SetExtra(label, value)
}

// SetExtra records a sidebar pair that has no Author field of its own, creating the
// map on first use. An empty value is dropped: absent fields are left out, never "".
func (a *Author) SetExtra(label, value string) {
	if label == "" || value == "" {
		return
	}
	if a.Extras == nil {
		a.Extras = map[string]string{}
	}
	a.Extras[label] = value
}
