package engines

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

// Discourse's JSON API gives more than the crawler view (post ids, user titles, edit
// times, every post of a topic in a few requests), so archives of Discourse sites
// read it when the site allows. These functions are pure: the caller fetches.
//
// A topic is read in two steps: /t/{slug}/{id}.json returns the first posts plus the
// ids of every post in the topic (post_stream.stream); the rest come from
// /t/{id}/posts.json?post_ids[]=... at most DiscourseChunkSize ids per request.

// DiscourseChunkSize is the most post ids Discourse returns per posts.json request.
const DiscourseChunkSize = 20

// discTopicJSON is the part of /t/{slug}/{id}.json forumarc reads.
type discTopicJSON struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Slug       string `json:"slug"`
	PostsCount int    `json:"posts_count"`
	PostStream struct {
		Posts  []discPostJSON `json:"posts"`
		Stream []int64        `json:"stream"`
	} `json:"post_stream"`
}

// discPostJSON is one element of post_stream.posts.
type discPostJSON struct {
	ID               int64   `json:"id"`
	Name             *string `json:"name"`
	Username         string  `json:"username"`
	AvatarTemplate   string  `json:"avatar_template"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
	Cooked           string  `json:"cooked"`
	PostNumber       int     `json:"post_number"`
	PostType         int     `json:"post_type"`
	Version          int     `json:"version"`
	TopicID          int64   `json:"topic_id"`
	TopicSlug        string  `json:"topic_slug"`
	UserTitle        *string `json:"user_title"`
	UserID           *int64  `json:"user_id"`
	TrustLevel       *int    `json:"trust_level"`
	PrimaryGroupName *string `json:"primary_group_name"`
	FlairName        *string `json:"flair_name"`
}

// discPostTypeSmallAction marks "closed this topic"-style entries, which are
// events, not messages.
const discPostTypeSmallAction = 3

// DiscourseTopicURL returns the JSON URL of the topic a page belongs to
// ("/t/{slug}/{id}.json"), so a crawl given any topic, post or page link can switch
// to the API. ok is false for URLs that are not Discourse topic links.
func DiscourseTopicURL(pageURL string) (jsonURL string, ok bool) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "", false
	}
	base, slug, id, ok := discSplitTopic(u)
	if !ok {
		return "", false
	}
	return discThreadURL(base, slug, id) + ".json", true
}

// DiscoursePostsURL returns the URL fetching the given posts of a topic. Discourse
// answers at most DiscourseChunkSize ids per request, so only the first
// DiscourseChunkSize ids are used: split longer lists with DiscourseChunks.
func DiscoursePostsURL(base string, topicID string, ids []int64) string {
	if len(ids) > DiscourseChunkSize {
		ids = ids[:DiscourseChunkSize]
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(base, "/"))
	b.WriteString("/t/")
	b.WriteString(url.PathEscape(topicID))
	b.WriteString("/posts.json")
	for i, id := range ids {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("post_ids[]=")
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// DiscourseChunks splits post ids into request-sized groups for DiscoursePostsURL.
func DiscourseChunks(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > 0 {
		n := min(len(ids), DiscourseChunkSize)
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	return out
}

// ExtractDiscourseTopic reads a topic's JSON into a page holding the posts it
// embeds, and returns the ids of the topic's other posts (in topic order) for
// DiscoursePostsURL. topicURL is where the JSON came from; it anchors relative links.
//
// Post ids are post numbers, as in the crawler view (see discAPIPost).
func ExtractDiscourseTopic(data []byte, topicURL string, in scraper.Input) (*scraper.Page, []int64, error) {
	var t discTopicJSON
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, fmt.Errorf("discourse topic json: %w", err)
	}
	if t.ID == 0 {
		return nil, nil, fmt.Errorf("discourse topic json: no topic id")
	}
	u, err := url.Parse(topicURL)
	if err != nil {
		return nil, nil, fmt.Errorf("discourse topic url: %w", err)
	}
	in.URL = u
	base := ""
	if b, _, _, ok := discSplitTopic(u); ok {
		base = b
	} else {
		base = strings.TrimSuffix((&url.URL{Scheme: u.Scheme, Host: u.Host}).String(), "/")
	}
	id := strconv.FormatInt(t.ID, 10)
	threadURL := discThreadURL(base, t.Slug, id)
	p := &scraper.Page{
		Engine: "discourse",
		URL:    scraper.CleanURL(threadURL),
		Thread: scraper.Thread{ID: scraper.Str(id), Title: scraper.Str(scraper.Clean(t.Title)), URL: scraper.Str(threadURL)},
		Page:   scraper.PageInfo{Number: 1},
	}
	loaded := make(map[int64]bool, len(t.PostStream.Posts))
	for _, jp := range t.PostStream.Posts {
		loaded[jp.ID] = true
		if post, ok := discAPIPost(jp, base, t.Slug, in); ok {
			p.Posts = append(p.Posts, post)
		}
	}
	if p.Posts == nil {
		p.Posts = []scraper.Post{}
	}
	var rest []int64
	for _, sid := range t.PostStream.Stream {
		if !loaded[sid] {
			rest = append(rest, sid)
		}
	}
	return p, rest, nil
}

// ExtractDiscoursePosts reads a posts.json answer. in.URL (the request URL) anchors
// relative links.
func ExtractDiscoursePosts(data []byte, in scraper.Input) ([]scraper.Post, error) {
	var r struct {
		PostStream struct {
			Posts []discPostJSON `json:"posts"`
		} `json:"post_stream"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("discourse posts json: %w", err)
	}
	base := ""
	if in.URL != nil {
		if b, _, _, ok := discSplitTopic(in.URL); ok {
			base = b
		} else {
			base = strings.TrimSuffix((&url.URL{Scheme: in.URL.Scheme, Host: in.URL.Host}).String(), "/")
		}
	}
	out := []scraper.Post{}
	for _, jp := range r.PostStream.Posts {
		if post, ok := discAPIPost(jp, base, jp.TopicSlug, in); ok {
			out = append(out, post)
		}
	}
	return out, nil
}

// discAPIPost reads one post of the JSON API.
//
// One id space for both Discourse readers: Post.ID is the post's number within its topic (post_number: 1, 2, 3...), in the
// JSON reader as in the crawler-view reader, so a topic archived once through the
// HTML and once through the API stores each post once. The number is what the crawler
// view prints (div#post_N, itemprop=position), what post links (/t/slug/id/N) and
// quotes (aside.quote[data-post=N]) use, and Discourse never renumbers posts (a
// deleted post leaves a gap). The global post id (JSON "id") appears nowhere in the
// HTML, so it is not kept; the API reader uses it only to ask for the posts of the
// stream.
func discAPIPost(jp discPostJSON, base, slug string, in scraper.Input) (scraper.Post, bool) {
	if jp.PostNumber <= 0 || jp.PostType == discPostTypeSmallAction {
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: strconv.Itoa(jp.PostNumber), Number: scraper.Int(jp.PostNumber), Quotes: []scraper.Quote{}}
	if jp.TopicID > 0 {
		post.URL = scraper.Str(discThreadURL(base, slug, strconv.FormatInt(jp.TopicID, 10)) + "/" + strconv.Itoa(jp.PostNumber))
	}
	a := &post.Author
	a.Name = scraper.Str(jp.Username)
	if jp.UserID != nil {
		a.ID = scraper.Str(strconv.FormatInt(*jp.UserID, 10))
	}
	if jp.Username != "" {
		a.URL = scraper.Str(base + "/u/" + url.PathEscape(jp.Username))
	}
	if jp.UserTitle != nil {
		a.Title = scraper.Str(scraper.Clean(*jp.UserTitle))
	}
	extras := map[string]string{}
	if jp.Name != nil && scraper.Clean(*jp.Name) != "" && *jp.Name != jp.Username {
		extras["Full name"] = scraper.Clean(*jp.Name)
	}
	if jp.TrustLevel != nil {
		extras["Trust level"] = strconv.Itoa(*jp.TrustLevel)
	}
	if jp.PrimaryGroupName != nil && *jp.PrimaryGroupName != "" {
		extras["Group"] = *jp.PrimaryGroupName
	}
	if jp.FlairName != nil && *jp.FlairName != "" {
		extras["Flair"] = *jp.FlairName
	}
	if jp.AvatarTemplate != "" {
		extras["Avatar"] = scraper.Resolve(in.URL, strings.ReplaceAll(jp.AvatarTemplate, "{size}", "120"))
	}
	if len(extras) > 0 {
		a.Extras = extras
	}

	// JSON shows machine times only, so the posted text is that value as given.
	post.PostedText = scraper.Str(strings.TrimSpace(jp.CreatedAt))
	created, okC := scraper.ParseMachineTime(jp.CreatedAt)
	if okC {
		post.PostedAt = scraper.UTCTime(created)
	}
	// updated_at also moves for non-edits (e.g. rebakes), so only posts with more
	// than one revision count as edited.
	if updated, ok := scraper.ParseMachineTime(jp.UpdatedAt); ok && okC && jp.Version > 1 && updated.After(created.Add(time.Second)) {
		post.EditedAt = scraper.UTCTime(updated)
	}

	if strings.TrimSpace(jp.Cooked) != "" {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<div>" + jp.Cooked + "</div>"))
		if err == nil {
			body := doc.Find("body > div").First()
			post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(body, discQuotes)
		}
	}
	return post, true
}

// discTopicListJSON is the part of a topic list (/latest.json, /c/{slug}/{id}.json)
// forumarc reads.
type discTopicListJSON struct {
	TopicList struct {
		MoreTopicsURL string `json:"more_topics_url"`
		Topics        []struct {
			ID           int64  `json:"id"`
			Title        string `json:"title"`
			Slug         string `json:"slug"`
			PostsCount   int64  `json:"posts_count"`
			LastPostedAt string `json:"last_posted_at"`
			BumpedAt     string `json:"bumped_at"`
		} `json:"topics"`
	} `json:"topic_list"`
}

// ExtractDiscourseTopicList reads a topic list page of the JSON API (/latest.json,
// /c/{slug}/{id}.json, ...) into a listing, so whole-site crawls of Discourse find
// topics and skip unchanged ones (Replies is posts_count - 1). listURL is the URL
// the JSON came from; NextURL is the JSON URL of the next list page.
func ExtractDiscourseTopicList(data []byte, listURL string, in scraper.Input) (*scraper.Listing, error) {
	var r discTopicListJSON
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("discourse topic list json: %w", err)
	}
	u, err := url.Parse(listURL)
	if err != nil {
		return nil, fmt.Errorf("discourse list url: %w", err)
	}
	base := strings.TrimSuffix((&url.URL{Scheme: u.Scheme, Host: u.Host}).String(), "/")
	l := &scraper.Listing{Engine: "discourse", URL: scraper.CleanURL(listURL), Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	l.Page.Number = 1
	if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n >= 0 {
		l.Page.Number = n + 1 // Discourse list pages count from 0
	}
	if more := r.TopicList.MoreTopicsURL; more != "" {
		// more_topics_url points at the HTML list ("/latest?page=1"); ask for JSON.
		if mu, err := u.Parse(more); err == nil {
			if !strings.HasSuffix(mu.Path, ".json") {
				mu.Path += ".json"
			}
			l.Page.NextURL = scraper.Str(mu.String())
		}
	}
	for _, t := range r.TopicList.Topics {
		if t.ID == 0 {
			continue
		}
		id := strconv.FormatInt(t.ID, 10)
		e := scraper.ThreadEntry{URL: discThreadURL(base, t.Slug, id), ID: scraper.Str(id), Title: scraper.Str(scraper.Clean(t.Title))}
		if t.PostsCount > 0 {
			e.Replies = scraper.Int64(t.PostsCount - 1)
		}
		last := t.LastPostedAt
		if last == "" {
			last = t.BumpedAt
		}
		if ts, ok := scraper.ParseMachineTime(last); ok {
			e.LastPostAt = scraper.UTCTime(ts)
			e.LastPostText = scraper.Str(last)
		}
		l.Threads = append(l.Threads, e)
	}
	return l, nil
}

var _ scraper.APIThreadReader = discEngine{}

// discPostsRe matches a posts.json chunk URL: "{base}/t/{id}/posts.json".
var discPostsRe = regexp.MustCompile(`^(.*?)/t/(\d+)/posts\.json$`)

// APIThreadURL is DiscourseTopicURL: the archiver reads a topic through
// /t/{slug}/{id}.json when any topic, post or page link of it is given.
func (discEngine) APIThreadURL(pageURL string) (string, bool) { return DiscourseTopicURL(pageURL) }

// IsAPIURL reports topic JSON and posts.json chunk URLs, so an HTML walk never
// resumes at one when the API stopped answering.
func (discEngine) IsAPIURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasSuffix(u.Path, ".json") {
		return false
	}
	if discPostsRe.MatchString(u.Path) {
		return true
	}
	_, _, _, ok := discSplitTopic(u)
	return ok
}

// ExtractAPIPage reads a topic JSON (page 1 and the posts.json URLs of the rest of
// the stream, DiscourseChunkSize ids each) or a posts.json chunk (its posts; the
// caller numbers the page). Small actions ("closed this topic") are not posts.
func (discEngine) ExtractAPIPage(data []byte, apiURL string, in scraper.Input) (*scraper.Page, []string, error) {
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, nil, fmt.Errorf("discourse api url: %w", err)
	}
	in.URL = u
	if m := discPostsRe.FindStringSubmatch(u.Path); m != nil {
		posts, err := ExtractDiscoursePosts(data, in)
		if err != nil {
			return nil, nil, err
		}
		base := strings.TrimSuffix((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: m[1]}).String(), "/")
		p := &scraper.Page{Engine: "discourse", URL: scraper.CleanURL(apiURL), Posts: posts}
		p.Thread.ID = scraper.Str(m[2])
		// The slug comes with each post; without one the stored thread URL is kept.
		if slug := discChunkSlug(data); slug != "" {
			p.Thread.URL = scraper.Str(discThreadURL(base, slug, m[2]))
		}
		return p, nil, nil
	}
	p, rest, err := ExtractDiscourseTopic(data, apiURL, in)
	if err != nil {
		return nil, nil, err
	}
	p.URL = scraper.CleanURL(apiURL)
	base := ""
	if b, _, _, ok := discSplitTopic(u); ok {
		base = b
	}
	var more []string
	for _, c := range DiscourseChunks(rest) {
		more = append(more, DiscoursePostsURL(base, *p.Thread.ID, c))
	}
	p.Page.Total = scraper.Int(1 + len(more))
	if len(more) > 0 {
		p.Page.NextURL = scraper.Str(more[0])
	}
	return p, more, nil
}

// discChunkSlug is the topic slug a posts.json answer carries with its posts.
func discChunkSlug(data []byte) string {
	var r struct {
		PostStream struct {
			Posts []struct {
				TopicSlug string `json:"topic_slug"`
			} `json:"posts"`
		} `json:"post_stream"`
	}
	if json.Unmarshal(data, &r) != nil {
		return ""
	}
	for _, p := range r.PostStream.Posts {
		if p.TopicSlug != "" {
			return p.TopicSlug
		}
	}
	return ""
}

var _ scraper.APIListingReader = discEngine{}

// discListRe matches the topic lists a crawl reads as JSON: /latest and category
// pages (/c/{slug}/{id}, /c/{parent}/{slug}/{id}, optionally /l/latest), with or
// without ".json".
var discListRe = regexp.MustCompile(`^(.*?)/(latest|c/[^.]+?)(\.json)?$`)

// APIListingURL maps a Discourse list page to its JSON: the site root and /latest to
// /latest.json (every topic of the site, newest activity first), a category page to
// its .json, keeping the query (page=N). Topic pages are no listings.
func (discEngine) APIListingURL(pageURL string) (string, bool) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "", false
	}
	out := *u
	out.Fragment = ""
	switch m := discListRe.FindStringSubmatch(strings.TrimSuffix(u.Path, "/")); {
	case m != nil:
		if m[3] == "" {
			out.Path = strings.TrimSuffix(u.Path, "/") + ".json"
		}
	case u.Path == "" || strings.HasSuffix(u.Path, "/") && !strings.Contains(u.Path, "/t/") && !strings.Contains(u.Path, "/u/"):
		out.Path = u.Path
		if out.Path == "" {
			out.Path = "/"
		}
		out.Path += "latest.json"
	default:
		return "", false
	}
	return out.String(), true
}

// ExtractAPIListing is ExtractDiscourseTopicList.
func (discEngine) ExtractAPIListing(data []byte, apiURL string, in scraper.Input) (*scraper.Listing, error) {
	return ExtractDiscourseTopicList(data, apiURL, in)
}
