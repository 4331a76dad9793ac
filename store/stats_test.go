package store

import (
	"context"
	"testing"
)

func TestStats(t *testing.T) {
	db := searchCorpus(t)
	st, err := db.Stats(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sites != 2 || st.Threads != 3 || st.Posts != 8 || st.Authors != 4 || st.Pages != 3 || st.Revisions != 0 {
		t.Errorf("counts = %+v", st)
	}
	if st.SizeBytes <= 0 || st.SchemaVersion != SchemaVersion() || st.LastRun == nil || st.LastRun.Command != "crawl" {
		t.Errorf("size %d schema %d run %+v", st.SizeBytes, st.SchemaVersion, st.LastRun)
	}
	if st.FirstPostAt == nil || !st.FirstPostAt.Equal(day(2025, 1, 5)) || !st.LastPostAt.Equal(day(2025, 5, 1)) {
		t.Errorf("first/last = %v %v", st.FirstPostAt, st.LastPostAt)
	}
	months := map[string]int64{}
	for _, m := range st.PostsPerMonth {
		months[m.Month] = m.Posts
	}
	if len(months) != 5 || months["2025-03"] != 2 || months["2025-04"] != 3 || st.PostsPerMonth[0].Month != "2025-01" {
		t.Errorf("per month = %+v", st.PostsPerMonth)
	}
	// marta has 3 posts on a.example (and 1 on b.example, a different author row).
	if len(st.TopAuthors) != 2 || *st.TopAuthors[0].Name != "marta" || st.TopAuthors[0].Posts != 3 ||
		st.TopAuthors[0].Site != "https://a.example" {
		t.Errorf("top authors = %+v", st.TopAuthors)
	}
	if len(st.TopThreads) != 2 || st.TopThreads[0].Posts != 4 || st.TopThreads[1].Posts != 3 ||
		st.TopThreads[0].URL != "https://a.example/threads/t.1/" {
		t.Errorf("top threads = %+v", st.TopThreads)
	}
	if len(st.PerSite) != 2 || st.PerSite[0].Posts != 7 || st.PerSite[0].Threads != 2 || st.PerSite[1].Posts != 1 {
		t.Errorf("per site = %+v", st.PerSite)
	}
}
