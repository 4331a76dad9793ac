package sampleforum

import (
	"fmt"
	"time"
)

// DemoThreadTitle is the thread `forumarc demo` archives.
const DemoThreadTitle = "Restoring a 1974 Raleigh Competition: build log"

// Demo returns the built-in sample forum: a cycling club board with a 47-post build
// log over three pages (quotes, an edited post, non-ASCII names) and a few short
// threads on other boards. All text is written for forumarc.
func Demo() *Forum {
	f := New("Riverside Cycling Club")
	workshop := f.AddBoard(nil, "Workshop")
	vintage := f.AddBoard(workshop, "Vintage restorations")
	rides := f.AddBoard(nil, "Rides and Routes")

	base := time.Date(2023, 3, 4, 9, 15, 0, 0, time.UTC)
	users := []*User{
		{ID: 11, Name: "marta_wheels", Title: "ELITE MEMBER", Joined: time.Date(2006, 5, 21, 0, 0, 0, 0, time.UTC), Messages: 33700, Reactions: 14, Location: "Leeds", Points: 113},
		{ID: 12, Name: "Jiří Novák", Title: "Well-known member", Joined: time.Date(2011, 10, 2, 0, 0, 0, 0, time.UTC), Messages: 1290, Reactions: 1434, Location: "Brno"},
		{ID: 13, Name: "old_spokes", Title: "Member", Joined: time.Date(2019, 1, 8, 0, 0, 0, 0, time.UTC), Messages: 57, Reactions: 3},
		{ID: 14, Name: "Zoë Fairweather", Title: "New member", Joined: time.Date(2023, 2, 27, 0, 0, 0, 0, time.UTC), Messages: 0, Reactions: 0, Location: "Hebden Bridge"},
	}
	lines := []string{
		"Picked up the frame at a jumble sale for twenty quid. Reynolds 531 tubing, original decals mostly intact.",
		"The bottom bracket is seized solid. Penetrating oil every evening for a week, then a long breaker bar.",
		"Chrome on the fork crown cleaned up with aluminium foil and water. No pitting under the rust, luckily.",
		"Headset cups are Stronglight; the races were dry but not brinelled. New grease and loose balls, 5/32\".",
		"Wheels: the original Weinmann rims are dented, so I'm lacing Mavic Open Pros to the Campagnolo Record hubs.",
		"Spoke length came out at 294 mm front and 292/293 rear. Double-butted, brass nipples.",
		"Tyres: 700x25 in tan wall, because of course.",
		"The rear derailleur (Nuovo Record) needed a new top pulley. The old one had worn into a star shape.",
		"Bar tape: cotton, shellacked three coats. It smells like a violin workshop in the garage now.",
		"First ride today, 40 km along the river. Shifting is crisp and nothing creaks. Very happy. 🚲",
	}
	build := f.AddThread(vintage, DemoThreadTitle, "Build log")
	var posts []*Post
	for i := 0; i < 47; i++ {
		u := users[i%len(users)]
		if i == 0 {
			u = users[0]
		}
		body := fmt.Sprintf("%s<br />\n<br />\nUpdate %d of the build.", lines[i%len(lines)], i+1)
		if i%7 == 3 {
			body = "Příjemná práce! Nice work. I did the same with a Favorit from 1981: the dropouts are identical.<br />\nDíky za fotky."
		}
		p := f.AddPost(build, u, base.Add(time.Duration(i)*7*time.Hour), body)
		if i == 12 || i == 30 {
			p.Quote = posts[i-2]
		}
		posts = append(posts, p)
	}
	f.EditPost(posts[5], posts[5].Body+"<br />\n<br />\nEdit: the rear was 292 mm on the drive side, not 293.", base.Add(40*time.Hour))

	tyres := f.AddThread(workshop, "Tubeless or inner tubes for winter?", "")
	f.AddPost(tyres, users[2], base.Add(-30*time.Hour), "Thinking of going tubeless for the winter commute. Worth it on 28 mm tyres?")
	f.AddPost(tyres, users[1], base.Add(-20*time.Hour), "Yes, if your rims are tubeless-ready. Carry a plug kit and a spare tube anyway.")
	route := f.AddThread(rides, "Sunday route: the three reservoirs loop", "")
	f.AddPost(route, users[3], base.Add(-50*time.Hour), "Meeting at the bandstand at 8:30. About 85 km, two proper climbs, café stop at the halfway mark.")
	f.AddPost(route, users[0], base.Add(-49*time.Hour), "Count me in. Mudguards recommended: the lane past the dam is always wet.")
	return f
}
