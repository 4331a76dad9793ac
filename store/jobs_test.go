package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseEvery(t *testing.T) {
	good := map[string]time.Duration{"6h": 6 * time.Hour, "90m": 90 * time.Minute, "1d": 24 * time.Hour,
		"7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute, " 1m ": time.Minute}
	for in, want := range good {
		if got, err := ParseEvery(in); err != nil || got != want {
			t.Errorf("ParseEvery(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "6", "soon", "30s", "-1h", "0d", "xd", "1m30.5s", "d"} {
		if got, err := ParseEvery(in); err == nil {
			t.Errorf("ParseEvery(%q) = %v, want error", in, got)
		} else if !strings.Contains(err.Error(), in) {
			t.Errorf("ParseEvery(%q) error %q does not name the input", in, err)
		}
	}
}

func TestParseCron(t *testing.T) {
	for _, in := range []string{"0 */6 * * *", "@daily", "@every 2h", "CRON_TZ=Europe/Berlin 0 3 * * *", "15 3 * * 1-5",
		"TZ=Europe/Berlin 0 3 * * *", "@every 1m", "CRON_TZ=UTC @every 90m"} {
		if _, err := ParseCron(in); err != nil {
			t.Errorf("ParseCron(%q): %v", in, err)
		}
	}
	for _, in := range []string{"", "0 */6 * *", "61 * * * *", "every day", "0 0 30 2 *", "* * * * * *",
		// A zone with nothing after it made the cron library panic (slice bounds out of range).
		"CRON_TZ=UTC", "CRON_TZ=Europe/Berlin", "TZ=UTC", "CRON_TZ=", "CRON_TZ= 0 3 * * *", "CRON_TZ=Bad/Zone 0 3 * * *",
		// @every has --every's minimum.
		"@every 10s", "@every 59s", "CRON_TZ=UTC @every 5s"} {
		_, err := ParseCron(in)
		if err == nil {
			t.Errorf("ParseCron(%q): want error", in)
			continue
		}
		if !strings.Contains(err.Error(), "invalid cron expression") || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseCron(%q) error %q does not name the expression", in, err)
		}
	}
}

func TestParseCronEveryMinimum(t *testing.T) {
	if _, err := ParseCron("@every 10s"); err == nil || !strings.Contains(err.Error(), "at least 1m") {
		t.Errorf("@every 10s: %v, want an error naming the 1m minimum", err)
	}
	// A job stored before the minimum applied still loads, and runs at most every minute.
	s, err := parseCron("@every 10s", false)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := s.next(at).Sub(at); got != MinEvery || s.Cron != "@every 10s" {
		t.Errorf("stored @every 10s: next in %v, cron %q; want %v and the expression kept", got, s.Cron, MinEvery)
	}
}

func TestNewScheduleNeedsExactlyOne(t *testing.T) {
	if _, err := NewSchedule("", ""); err == nil {
		t.Error("no schedule accepted")
	}
	if _, err := NewSchedule("6h", "@daily"); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both: %v", err)
	}
	s, err := NewSchedule("6h", "")
	if err != nil || s.Every != 6*time.Hour || s.String() != "every 6h" {
		t.Errorf("every: %+v %v %q", s, err, s.String())
	}
	s, err = NewSchedule("", "0 */6 * * *")
	if err != nil || s.String() != "cron 0 */6 * * *" {
		t.Errorf("cron: %+v %v", s, err)
	}
	for d, want := range map[time.Duration]string{90 * time.Minute: "1h30m", 48 * time.Hour: "2d", 5 * time.Minute: "5m", 36 * time.Hour: "36h", 61 * time.Second: "1m1s"} {
		if got := FormatEvery(d); got != want {
			t.Errorf("FormatEvery(%v) = %q, want %q", d, got, want)
		}
	}
}

func mustSchedule(t *testing.T, every, cron string) Schedule {
	t.Helper()
	s, err := NewSchedule(every, cron)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJobsRoundTrip(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	args := []string{"--max-threads", "5", "--include", "/threads/", "https://forum.example/forums/general.2/"}
	j, err := db.AddJob(ctx, "general", mustSchedule(t, "6h", ""), args)
	if err != nil {
		t.Fatal(err)
	}
	if !j.NextRunAt.Equal(clock.t) {
		t.Errorf("first run %v, want now %v (every jobs start at once)", j.NextRunAt, clock.t)
	}
	if _, err := db.AddJob(ctx, "nightly", mustSchedule(t, "", "0 3 * * *"), []string{"https://forum.example/"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddJob(ctx, "general", mustSchedule(t, "1h", ""), args); !errors.Is(err, ErrJobExists) {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := db.AddJob(ctx, "-bad name", mustSchedule(t, "1h", ""), args); err == nil {
		t.Error("bad name accepted")
	}

	jobs, err := db.ListJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].Name != "general" || jobs[1].Name != "nightly" {
		t.Fatalf("ListJobs = %+v", jobs)
	}
	g := jobs[0]
	if !reflect.DeepEqual(g.Args, args) || g.Schedule.Every != 6*time.Hour || g.Schedule.Cron != "" {
		t.Errorf("general read back as %+v", g)
	}
	if g.LastRunAt != nil || g.LastStatus != nil || g.LastRunID != nil {
		t.Errorf("never-run job has last run: %+v", g)
	}
	n := jobs[1]
	if n.Schedule.Cron != "0 3 * * *" || !n.NextRunAt.Equal(time.Date(2026, 1, 16, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("nightly read back as %+v", n)
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"cron":"0 3 * * *"`) || !strings.Contains(string(b), `"every_seconds":null`) ||
		!strings.Contains(string(b), `"last_status":null`) {
		t.Errorf("JSON = %s", b)
	}

	if err := db.RemoveJob(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveJob(ctx, "general"); !errors.Is(err, ErrNoJob) {
		t.Errorf("remove twice: %v", err)
	}
	if _, err := db.GetJob(ctx, "general"); !errors.Is(err, ErrNoJob) {
		t.Errorf("get removed: %v", err)
	}
	if err := db.MarkJobRun(ctx, "general", clock.t, "ok", 1, clock.t); !errors.Is(err, ErrNoJob) {
		t.Errorf("mark removed: %v", err)
	}
	if jobs, _ := db.ListJobs(ctx); len(jobs) != 1 {
		t.Errorf("after remove: %d jobs", len(jobs))
	}
}

func dueNames(t *testing.T, db *DB, now time.Time) string {
	t.Helper()
	js, err := db.DueJobs(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range js {
		names = append(names, j.Name)
	}
	return strings.Join(names, ",")
}

func TestEveryJobDueWithoutDrift(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	t0 := clock.t
	if _, err := db.AddJob(ctx, "six", mustSchedule(t, "6h", ""), []string{"https://f.example/"}); err != nil {
		t.Fatal(err)
	}
	if got := dueNames(t, db, t0.Add(-time.Second)); got != "" {
		t.Errorf("due before it was added: %q", got)
	}
	if got := dueNames(t, db, t0); got != "six" {
		t.Fatalf("not due right after add: %q", got)
	}
	j, _ := db.GetJob(ctx, "six")
	// The run ends 25 minutes later: the next slot is still t0+6h, not t0+6h25m.
	end := t0.Add(25 * time.Minute)
	next := j.NextAfter(end)
	if want := t0.Add(6 * time.Hour); !next.Equal(want) {
		t.Fatalf("NextAfter = %v, want %v", next, want)
	}
	if err := db.MarkJobRun(ctx, "six", t0, StatusOK, 7, next); err != nil {
		t.Fatal(err)
	}
	if got := dueNames(t, db, t0.Add(6*time.Hour-time.Second)); got != "" {
		t.Errorf("due a second early: %q", got)
	}
	if got := dueNames(t, db, t0.Add(6*time.Hour)); got != "six" {
		t.Errorf("not due on time: %q", got)
	}
	j, _ = db.GetJob(ctx, "six")
	if j.LastRunAt == nil || !j.LastRunAt.Equal(t0) || j.LastStatus == nil || *j.LastStatus != "ok" || j.LastRunID == nil || *j.LastRunID != 7 {
		t.Errorf("last run not recorded: %+v", j)
	}
	// Nothing ran for 20 hours after the t0+6h slot: the missed slots are skipped, the
	// phase is kept (t0+30h), and the next time is after now.
	late := t0.Add(26 * time.Hour)
	if got, want := j.NextAfter(late), t0.Add(30*time.Hour); !got.Equal(want) {
		t.Errorf("NextAfter(late) = %v, want %v", got, want)
	}
	// Exactly on a slot: the next one, never now itself.
	if got, want := j.NextAfter(t0.Add(12*time.Hour)), t0.Add(18*time.Hour); !got.Equal(want) {
		t.Errorf("NextAfter(on slot) = %v, want %v", got, want)
	}
	// A skip moves the time without recording a run.
	if err := db.SkipJob(ctx, "six", t0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	j, _ = db.GetJob(ctx, "six")
	if !j.NextRunAt.Equal(t0.Add(12*time.Hour)) || *j.LastStatus != "ok" {
		t.Errorf("after skip: %+v", j)
	}
}

func TestCronJobDue(t *testing.T) {
	db, clock := openTest(t) // 2026-01-15 12:00:00 UTC
	ctx := context.Background()
	if _, err := db.AddJob(ctx, "sixly", mustSchedule(t, "", "0 */6 * * *"), []string{"https://f.example/"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddJob(ctx, "berlin", mustSchedule(t, "", "CRON_TZ=Europe/Berlin 0 3 * * *"), []string{"https://f.example/"}); err != nil {
		t.Fatal(err)
	}
	// At 12:00 exactly the next slot is 18:00, not now.
	if got := dueNames(t, db, clock.t); got != "" {
		t.Errorf("due at add time: %q", got)
	}
	six := clock.t.Add(6 * time.Hour)
	if got := dueNames(t, db, six.Add(-time.Second)); got != "" {
		t.Errorf("due at 17:59:59: %q", got)
	}
	if got := dueNames(t, db, six); got != "sixly" {
		t.Errorf("due at 18:00: %q", got)
	}
	j, _ := db.GetJob(ctx, "sixly")
	if got, want := j.NextAfter(six.Add(10*time.Minute)), time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("NextAfter = %v, want %v", got, want)
	}
	// 03:00 in Berlin is 02:00 UTC in winter.
	b, _ := db.GetJob(ctx, "berlin")
	if want := time.Date(2026, 1, 16, 2, 0, 0, 0, time.UTC); !b.NextRunAt.Equal(want) {
		t.Errorf("berlin first run %v, want %v", b.NextRunAt, want)
	}
	if got := dueNames(t, db, time.Date(2026, 1, 16, 2, 0, 0, 0, time.UTC)); got != "sixly,berlin" {
		t.Errorf("due next morning: %q (want most overdue first)", got)
	}
}

func TestStatusReads(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	if id, err := db.LastRunID(ctx); err != nil || id != 0 {
		t.Fatalf("LastRunID on empty = %d, %v", id, err)
	}
	r1 := startRun(t, db)
	if err := r1.RecordError(ctx, "https://forum.example/t/9", errors.New("HTTP 503 after 3 tries")); err != nil {
		t.Fatal(err)
	}
	if err := r1.Finish(ctx, StatusFailed); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)
	r2 := startRun(t, db)
	if err := r2.RecordError(ctx, "https://forum.example/t/10", errors.New("connection reset")); err != nil {
		t.Fatal(err)
	}

	runs, err := db.RecentRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != r2.ID() || runs[1].ID != r1.ID() {
		t.Fatalf("RecentRuns = %+v", runs)
	}
	if runs[0].Status != StatusRunning || runs[0].FinishedAt != nil || runs[1].Status != StatusFailed || runs[1].FinishedAt == nil {
		t.Errorf("statuses: %+v", runs)
	}
	if runs[1].Errors != 1 || runs[1].Command != "crawl" || !reflect.DeepEqual(runs[1].Args, []string{"https://forum.example/t/1"}) {
		t.Errorf("run 1: %+v", runs[1])
	}
	if runs, _ := db.RecentRuns(ctx, 1); len(runs) != 1 || runs[0].ID != r2.ID() {
		t.Errorf("limit 1: %+v", runs)
	}
	after, err := db.RunsAfter(ctx, r1.ID())
	if err != nil || len(after) != 1 || after[0].ID != r2.ID() {
		t.Errorf("RunsAfter = %+v, %v", after, err)
	}
	if id, _ := db.LastRunID(ctx); id != r2.ID() {
		t.Errorf("LastRunID = %d, want %d", id, r2.ID())
	}

	errs, err := db.RecentErrors(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].URL != "https://forum.example/t/10" || errs[0].RunID != r2.ID() ||
		errs[1].Message != "HTTP 503 after 3 tries" || !errs[0].At.Equal(clock.t) {
		t.Errorf("RecentErrors = %+v", errs)
	}
	if ok, err := db.HasCrawlTables(ctx); !ok || err != nil {
		t.Errorf("HasCrawlTables = %v, %v", ok, err)
	}
}
