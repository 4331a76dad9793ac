package scraper

import (
	"testing"
)

func TestLabelField(t *testing.T) {
	want := map[Field][]string{
		FieldJoined: {
			"Joined", "Joined:", "Join Date", "Join Date:", "JOINED", "Registered", "Member since", "Регистрация",
			"Зарегистрирован:", "Registriert seit", "Dabei seit", "Inscrit", "Inscription", "Registrado",
			"Fecha de registro", "Iscritto", "Dołączył", "Dolaczyl", "Lid sinds", "Katılım", "Katilim", "Kayıt tarihi",
			"Membro desde", " joined ：", "Date Registered", "Data de Ingresso", "Registrado em",
		},
		FieldMessages: {
			"Messages", "Messages:", "Posts", "Posts:", "Total Posts", "Beiträge", "Beitrage", "Сообщения", "Сообщений:",
			"Messages postés", "Mensajes", "Mensagens", "Messaggi", "Posty", "Postów", "Berichten", "Mesajlar", "MESAJLAR",
		},
		FieldReaction: {
			"Reaction score", "Reaction score:", "Likes received", "Likes Received", "Реакции", "Симпатии",
			"Reaktionspunkte", "Score de réaction", "Puntuación de reacción", "Pontuação de reação",
			"Punteggio reazioni", "Wynik reakcji", "Reactiescore", "Tepki puanı", "Tepki Puani",
		},
		FieldLocation: {
			"Location", "Location:", "From", "From:", "Откуда", "Ort", "Wohnort", "Localisation", "Ubicación",
			"Ubicacion", "Localização", "Località", "Lokalizacja", "Locatie", "Konum", "Адрес", "Skąd", "Nereden", "Woonplaats",
		},
		FieldCountry: {"Country", "Страна", "Land", "Pays", "País", "Paese", "Kraj", "Ülke", "Ulke:"},
		FieldExtra: {
			"Points", "Баллы", "Rep Power", "Reputation", "Threads", "Thanks", "Currency", "", ":", "Gender",
			"Age", "Trophy points", "Messages from", "Join",
		},
	}
	for f, labels := range want {
		for _, l := range labels {
			if got := LabelField(l); got != f {
				t.Errorf("LabelField(%q) = %d, want %d", l, got, f)
			}
		}
	}
}

func TestApplySidebar(t *testing.T) {
	in := utcIn()
	var a Author
	ApplySidebar(&a, "Joined:", "Tue Dec 18, 2012 5:03 pm", in)
	ApplySidebar(&a, "Posts:", "17", in)
	ApplySidebar(&a, "Реакции", "1,434", in)
	ApplySidebar(&a, "Откуда:", " Berlin ", in)
	ApplySidebar(&a, "Country", "Germany", in)
	ApplySidebar(&a, "Баллы", "113", in)
	ApplySidebar(&a, "Rep Power", "0", in)
	ApplySidebar(&a, "Reputation:", "0", in)
	ApplySidebar(&a, "Threads:", "2", in)
	ApplySidebar(&a, "Gender", "", in) // empty value: ignored
	ApplySidebar(&a, "", "orphan", in) // empty label: ignored

	check := func(name string, got *string, want string) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	check("JoinedText", a.JoinedText, "Tue Dec 18, 2012 5:03 pm")
	check("Joined", a.Joined, "2012-12-18")
	check("Location", a.Location, "Berlin")
	check("Country", a.Country, "Germany")
	if a.Messages == nil || *a.Messages != 17 {
		t.Errorf("Messages = %v, want 17", a.Messages)
	}
	if a.ReactionScore == nil || *a.ReactionScore != 1434 {
		t.Errorf("ReactionScore = %v, want 1434", a.ReactionScore)
	}
	wantExtras := map[string]string{"Баллы": "113", "Rep Power": "0", "Reputation": "0", "Threads": "2"}
	if len(a.Extras) != len(wantExtras) {
		t.Errorf("Extras = %v, want %v", a.Extras, wantExtras)
	}
	for k, v := range wantExtras {
		if a.Extras[k] != v {
			t.Errorf("Extras[%q] = %q, want %q", k, a.Extras[k], v)
		}
	}

	// Month-only join dates, and values the field cannot parse.
	var b Author
	ApplySidebar(&b, "Join Date", "Feb 2009", in)
	ApplySidebar(&b, "Messages", "lots", in)
	ApplySidebar(&b, "Reaction score", "n/a", in)
	check("Joined", b.Joined, "2009-02")
	check("JoinedText", b.JoinedText, "Feb 2009")
	if b.Messages != nil || b.ReactionScore != nil {
		t.Errorf("unparseable counts were stored: %v %v", b.Messages, b.ReactionScore)
	}
	if b.Extras["Messages"] != "lots" || b.Extras["Reaction score"] != "n/a" {
		t.Errorf("unparseable values not kept in Extras: %v", b.Extras)
	}

	// A join date that cannot be read keeps its text and leaves Joined null.
	var c Author
	ApplySidebar(&c, "Registriert seit", "vor langer Zeit", in)
	check("JoinedText", c.JoinedText, "vor langer Zeit")
	if c.Joined != nil {
		t.Errorf("Joined = %q, want nil", *c.Joined)
	}
	// Exact counts with grouping and the IPS abbreviation.
	var d Author
	ApplySidebar(&d, "Сообщения", "1 293", in)
	ApplySidebar(&d, "Likes received", "3.5k", in)
	if d.Messages == nil || *d.Messages != 1293 || d.ReactionScore == nil || *d.ReactionScore != 3500 {
		t.Errorf("counts = %v %v", d.Messages, d.ReactionScore)
	}
}

func TestSetExtra(t *testing.T) {
	var a Author
	a.SetExtra("Group", "")
	a.SetExtra("", "x")
	if a.Extras != nil {
		t.Fatalf("empty label or value created Extras: %v", a.Extras)
	}
	a.SetExtra("Group", "Members")
	a.SetExtra("Group", "Moderators")
	if len(a.Extras) != 1 || a.Extras["Group"] != "Moderators" {
		t.Errorf("Extras = %v", a.Extras)
	}
}
