package engines

import (
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// TestEngineFieldsVocabulary keeps `forumarc engines` comparable across engines: every
// field an engine claims is one of the extract JSON paths.
func TestEngineFieldsVocabulary(t *testing.T) {
	known := map[string]bool{}
	for _, f := range []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path",
		"page.number", "page.total", "page.next_url", "post.id", "post.number", "post.url", "post.posted_at",
		"post.posted_text", "post.edited_at", "post.body", "post.quotes", "post.signature", "author.name", "author.id",
		"author.url", "author.title", "author.joined", "author.messages", "author.reaction_score", "author.location",
		"author.country", "author.extras"} {
		known[f] = true
	}
	for _, e := range scraper.Engines() {
		info := e.Info()
		if info.Name == "generic" {
			continue
		}
		if len(info.Fields) < 10 {
			t.Errorf("%s lists only %d fields", info.Name, len(info.Fields))
		}
		for _, f := range info.Fields {
			if !known[f] {
				t.Errorf("%s: field %q is not an extract JSON path", info.Name, f)
			}
		}
	}
}
