package sampleforum

import (
	"fmt"
	"time"
)

// Spec sizes a generated forum for crawl tests and benchmarks.
type Spec struct {
	Boards          int // top-level boards
	SubBoards       int // sub-boards under each top-level board
	ThreadsPerBoard int
	// PostsPerThread gives thread i (0-based, across the forum) this many posts.
	PostsPerThread func(i int) int
}

// Generate builds a deterministic forum: the same Spec always yields the same boards,
// threads, posts and timestamps.
func Generate(spec Spec) *Forum {
	f := New("Generated Forum")
	users := make([]*User, 7)
	for i := range users {
		users[i] = &User{ID: 100 + i, Name: fmt.Sprintf("member%d", i+1), Title: "Member",
			Joined: time.Date(2010+i, time.Month(i+1), 3, 0, 0, 0, 0, time.UTC), Reactions: i * 3, Location: []string{"", "Oslo", "Lyon"}[i%3]}
	}
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	n := 0
	addThreads := func(b *Board) {
		for t := 0; t < spec.ThreadsPerBoard; t++ {
			th := f.AddThread(b, fmt.Sprintf("%s topic %d", b.Title, t+1), "")
			posts := spec.PostsPerThread(n)
			for p := 0; p < posts; p++ {
				u := users[(n+p)%len(users)]
				at := base.Add(time.Duration(n)*time.Hour + time.Duration(p)*time.Minute)
				f.AddPost(th, u, at, fmt.Sprintf("Post %d of thread %d. Notes on <b>%s</b>.<br />\nSecond line of post %d.", p+1, th.ID, b.Title, p+1))
			}
			n++
		}
	}
	for b := 0; b < spec.Boards; b++ {
		top := f.AddBoard(nil, fmt.Sprintf("Board %d", b+1))
		addThreads(top)
		for s := 0; s < spec.SubBoards; s++ {
			addThreads(f.AddBoard(top, fmt.Sprintf("Board %d sub %d", b+1, s+1)))
		}
	}
	return f
}

// PostCount is the number of posts in the forum.
func (f *Forum) PostCount() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := 0
	for _, t := range f.threads {
		n += len(t.Posts)
	}
	return n
}

// Boards returns the top-level boards.
func (f *Forum) Boards() []*Board {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return append([]*Board(nil), f.boards...)
}
