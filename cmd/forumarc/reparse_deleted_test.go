package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// TestReparseReportsPostsDeletedOnTheForum: a 15-post thread archived over 2 pages, 3
// of its posts deleted on the forum and the thread archived again, which marks them
// deleted and keeps the replaced copies of both pages in page_versions. Reparse reads
// the current copies, which no longer show those posts: they are not extractor
// misses. A post marked deleted is reported as deleted, with the older copy that still
// shows it, or none when no copy was kept (an archive from before page_versions); one
// not marked deleted that only an older copy shows is "gone"; only a post no stored
// copy yields is "missing". All are kept, and the exit code stays 0.
func TestReparseReportsPostsDeletedOnTheForum(t *testing.T) {
	ctx := context.Background()
	tf := newOneThreadForum(t, 15)
	f, th, db := tf.f, tf.th, tf.db
	tf.archive(t)
	// deleted: marked deleted, the old copy of page 1 shows it; unmarked: the same, but
	// no crawl marked it (as after a walk that did not reach the thread's end);
	// noCopy: marked deleted, on page 2, whose old copy is not kept.
	deleted, unmarked, noCopy := th.Posts[2], th.Posts[5], th.Posts[12]
	for _, p := range []*sampleforum.Post{deleted, unmarked, noCopy} {
		f.DeletePost(th, p)
	}
	tf.archive(t)
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 3 {
		t.Fatalf("the second archive marked %d posts deleted, want 3", n)
	}
	if n := count(t, db, "SELECT count(DISTINCT page_id) FROM page_versions"); n != 2 {
		t.Fatalf("older copies kept of %d pages, want 2", n)
	}
	w, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		fmt.Sprintf(`UPDATE posts SET deleted_at = NULL WHERE external_id = '%d'`, unmarked.ID),
		`DELETE FROM page_versions WHERE page_id = (SELECT id FROM pages WHERE number = 2)`,
		`INSERT INTO posts (thread_id, external_id, body_html, body_text, content_hash, first_seen_at, last_seen_at)
			VALUES (1, 'ad-slot-1', '<p>Buy now</p>', 'Buy now', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	page1 := tf.url

	for _, dry := range []bool{true, false} {
		args := []string{"--db", db, "reparse"}
		if dry {
			args = append(args, "--dry-run")
		}
		r := cli(t, ctx, args...)
		if r.code != 0 {
			t.Fatalf("reparse (dry run %v): exit %d\n%s%s", dry, r.code, r.stdout, r.stderr)
		}
		lines := map[string]string{} // kind and post id: the line
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[1] == "post" {
				lines[f[0]+" "+f[2]] = l
			}
		}
		wantPrefix := map[string]string{
			fmt.Sprintf("deleted %d", deleted.ID): fmt.Sprintf("deleted  post %d (thread 1): deleted on the forum (found gone ", deleted.ID),
			fmt.Sprintf("gone %d", unmarked.ID):   fmt.Sprintf("gone     post %d (thread 1): not on the current copies of the thread's pages, not marked deleted; an older copy of %s fetched ", unmarked.ID, page1),
			fmt.Sprintf("deleted %d", noCopy.ID):  fmt.Sprintf("deleted  post %d (thread 1): deleted on the forum (found gone ", noCopy.ID),
			"missing ad-slot-1":                   "missing  post ad-slot-1 (thread 1): stored but no longer extracted; kept",
		}
		if len(lines) != len(wantPrefix) {
			t.Errorf("dry run %v: reported posts %q, want %d of them\n%s", dry, slices.Sorted(maps.Keys(lines)), len(wantPrefix), r.stdout)
		}
		for k, want := range wantPrefix {
			if !strings.HasPrefix(lines[k], want) {
				t.Errorf("dry run %v: line for %s:\n%q\nwant it to start\n%q", dry, k, lines[k], want)
			}
		}
		if l := lines[fmt.Sprintf("deleted %d", deleted.ID)]; !strings.Contains(l, "; an older copy of "+page1+" fetched ") ||
			!strings.HasSuffix(l, " shows it; kept") {
			t.Errorf("dry run %v: the deleted post's line does not name the older copy of page 1:\n%s", dry, l)
		}
		if l := lines[fmt.Sprintf("deleted %d", noCopy.ID)]; !strings.HasSuffix(l, "; no stored copy of its page shows it; kept") {
			t.Errorf("dry run %v: the deleted post without an older copy:\n%s", dry, l)
		}
		if !strings.Contains(r.stdout, ", 1 stored posts no longer found (kept), 2 deleted on the forum earlier (kept), 1 shown only by older copies of their pages (kept)\n") {
			t.Errorf("dry run %v: summary:\n%s", dry, r.stdout)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 16 {
		t.Errorf("%d posts after reparse, want all 16 kept", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 2 {
		t.Errorf("%d posts marked deleted after reparse, want the 2 still", n)
	}

	r := cli(t, ctx, "--db", db, "reparse", "--dry-run", "--format", "json")
	if r.code != 0 {
		t.Fatalf("reparse --format json: exit %d\n%s", r.code, r.stderr)
	}
	kinds := map[string]map[string]any{}
	var sum map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		switch k := l["kind"].(string); k {
		case "summary":
			sum = l
		default:
			kinds[l["post_id"].(string)] = l
		}
	}
	id := func(p *sampleforum.Post) string { return fmt.Sprint(p.ID) }
	if l := kinds[id(deleted)]; l["kind"] != "deleted" || l["deleted_at"] == nil || l["older_copy_url"] != page1 || l["older_copy_fetched_at"] == nil {
		t.Errorf("deleted post: %v", l)
	}
	if l := kinds[id(unmarked)]; l["kind"] != "gone" || l["deleted_at"] != nil || l["older_copy_url"] != page1 {
		t.Errorf("unmarked post: %v", l)
	}
	if l := kinds[id(noCopy)]; l["kind"] != "deleted" || l["deleted_at"] == nil || l["older_copy_url"] != nil {
		t.Errorf("deleted post without an older copy: %v", l)
	}
	if l := kinds["ad-slot-1"]; l["kind"] != "missing" {
		t.Errorf("missing post: %v", l)
	}
	strs := func(v any) []string {
		var out []string
		for _, s := range v.([]any) {
			out = append(out, s.(string))
		}
		return out
	}
	if sum == nil || !reflect.DeepEqual(strs(sum["no_longer_found"]), []string{"ad-slot-1"}) ||
		!reflect.DeepEqual(strs(sum["deleted_on_forum"]), []string{id(deleted), id(noCopy)}) ||
		!reflect.DeepEqual(strs(sum["only_in_older_copies"]), []string{id(unmarked)}) {
		t.Errorf("summary = %v", sum)
	}
	if r := cli(t, ctx, "reparse", "--help"); !strings.Contains(r.stdout, `"deleted" when a crawl found them gone`) ||
		!strings.Contains(r.stdout, "None of\nthese changes the exit code") {
		t.Errorf("reparse --help does not describe the deleted posts and the exit code:\n%s", r.stdout)
	}
}

// TestReparseFailedPageLeavesItsPostsMissing: when the current copy of a page fails
// to re-extract, the posts it shows are not "gone" because an older copy shows them:
// they stay "missing" (the failure is reported, exit 1). A post the forum deleted is
// still reported as deleted.
func TestReparseFailedPageLeavesItsPostsMissing(t *testing.T) {
	ctx := context.Background()
	tf := newOneThreadForum(t, 15)
	f, th, db := tf.f, tf.th, tf.db
	gone := th.Posts[12] // on page 2: its old copy is kept
	tf.archive(t)
	f.DeletePost(th, gone)
	tf.archive(t)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write([]byte("<html><body>Down for maintenance</body></html>")); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	w, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`UPDATE pages SET html = ? WHERE number = 2`, z.Bytes()); err != nil {
		t.Fatal(err)
	}
	w.Close()

	r := cli(t, ctx, "--db", db, "reparse", "--dry-run")
	if r.code != exitFailed || !strings.Contains(r.stdout, "failed   ") {
		t.Fatalf("reparse with a broken page: exit %d (want 1)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "\ngone ") {
		t.Errorf("posts of the failed page reported as gone:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, ", 1 pages failed, 4 stored posts no longer found (kept), 1 deleted on the forum earlier (kept)\n") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	if want := fmt.Sprintf("deleted  post %d (thread 1): deleted on the forum (found gone ", gone.ID); !strings.Contains(r.stdout, want) {
		t.Errorf("no line %q:\n%s", want, r.stdout)
	}
}
