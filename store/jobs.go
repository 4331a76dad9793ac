package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Job errors callers branch on (the CLI maps them to messages and exit codes).
var (
	// ErrNoJob: no job has that name.
	ErrNoJob = errors.New("no such job")
	// ErrJobExists: a job with that name is already defined; names are the key.
	ErrJobExists = errors.New("a job with that name already exists")
)

// Job statuses MarkJobRun records, besides the run statuses ok, failed and interrupted.
const (
	// JobSkipped: the job came due while another crawl was running and was not run.
	JobSkipped = "skipped"
)

// MinEvery is the shortest --every interval accepted: a crawl more often than this
// would be impolite to the forum and cannot finish anyway.
const MinEvery = time.Minute

// Schedule is when a job runs: exactly one of Every (a fixed interval) or Cron (a
// cron expression) is set.
type Schedule struct {
	Every time.Duration
	Cron  string

	cron cron.Schedule
}

var jobNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidJobName reports whether name can name a job: it appears in commands, logs and
// crontabs, so it is restricted to letters, digits, '.', '_' and '-'.
func ValidJobName(name string) bool { return jobNameRe.MatchString(name) }

// ParseEvery parses an --every interval: a Go duration ("6h", "90m", "1h30m") or a
// number of days ("1d", "7d"). At least MinEvery, in whole seconds.
func ParseEvery(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok && n != "" {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("invalid interval %q: want e.g. 6h, 90m or 1d", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("invalid interval %q: want e.g. 6h, 90m or 1d", s)
		}
	}
	if d < MinEvery {
		return 0, fmt.Errorf("invalid interval %q: must be at least %s", s, FormatEvery(MinEvery))
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("invalid interval %q: must be whole seconds", s)
	}
	return d, nil
}

// ParseCron parses a standard five-field cron expression ("0 */6 * * *"), or a
// descriptor (@yearly, @monthly, @weekly, @daily, @hourly, or @every D with D at
// least MinEvery, like --every). Times are UTC unless the expression starts with
// CRON_TZ=Zone or TZ=Zone (e.g. "CRON_TZ=Europe/Berlin 0 3 * * *"), so a schedule
// means the same on every machine and in every container.
func ParseCron(expr string) (Schedule, error) { return parseCron(expr, true) }

// parseCron is ParseCron; with strict false an @every shorter than MinEvery (stored
// before the minimum applied to cron expressions) is read as MinEvery instead of
// refused, so such a job neither breaks the job list nor runs more often.
func parseCron(expr string, strict bool) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	bad := func(format string, args ...any) (Schedule, error) {
		return Schedule{}, fmt.Errorf("invalid cron expression %q: %s", expr, fmt.Sprintf(format, args...))
	}
	if expr == "" {
		return bad("empty")
	}
	zone, spec := "UTC", expr
	if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
		// Split the zone off here: the cron library slices past the end (and panics)
		// when nothing follows it.
		tz, rest, _ := strings.Cut(expr, " ")
		_, zone, _ = strings.Cut(tz, "=")
		spec = strings.TrimSpace(rest)
		if zone == "" {
			return bad("CRON_TZ= needs a zone name (CRON_TZ=Europe/Berlin 0 3 * * *)")
		}
		if _, err := time.LoadLocation(zone); err != nil {
			return bad("unknown time zone %q", zone)
		}
		if spec == "" {
			return bad("a schedule must follow %s (%s 0 3 * * *)", tz, tz)
		}
	}
	s, err := cron.ParseStandard("CRON_TZ=" + zone + " " + spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("invalid cron expression %q: %w", expr, err)
	}
	if d, ok := s.(cron.ConstantDelaySchedule); ok && d.Delay < MinEvery {
		if strict {
			return bad("@every must be at least %s", FormatEvery(MinEvery))
		}
		s = cron.Every(MinEvery)
	}
	// A schedule that never fires (30 February) would sit in the table forever.
	probe := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(probe).IsZero() {
		return bad("it never fires")
	}
	return Schedule{Cron: expr, cron: s}, nil
}

// NewSchedule validates the --every / --cron pair: exactly one must be given.
func NewSchedule(every, cronExpr string) (Schedule, error) {
	switch {
	case every != "" && cronExpr != "":
		return Schedule{}, errors.New("give either --every or --cron, not both")
	case every != "":
		d, err := ParseEvery(every)
		if err != nil {
			return Schedule{}, err
		}
		return Schedule{Every: d}, nil
	case cronExpr != "":
		return ParseCron(cronExpr)
	}
	return Schedule{}, errors.New("a schedule is required: --every 6h or --cron \"0 */6 * * *\"")
}

// String is the schedule as the user wrote it, for listings.
func (s Schedule) String() string {
	if s.Cron != "" {
		return "cron " + s.Cron
	}
	return "every " + FormatEvery(s.Every)
}

// FormatEvery prints an interval compactly: 6h, 90m, 1d, 1h30m.
func FormatEvery(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// next is the first scheduled time strictly after t (zero if the cron never fires).
func (s Schedule) next(t time.Time) time.Time {
	if s.Cron != "" {
		return s.cron.Next(t).UTC()
	}
	return t.Add(s.Every).UTC()
}

// Job is a scheduled crawl: a row of the jobs table.
type Job struct {
	Name       string     `json:"name"`
	Schedule   Schedule   `json:"-"`
	Args       []string   `json:"args"` // crawl flags and URLs, as given to `jobs add`
	CreatedAt  time.Time  `json:"created_at"`
	LastRunAt  *time.Time `json:"last_run_at"`
	LastStatus *string    `json:"last_status"`
	LastRunID  *int64     `json:"last_run_id"`
	NextRunAt  time.Time  `json:"next_run_at"`
}

// Due reports whether the job should run at now.
func (j Job) Due(now time.Time) bool { return !j.NextRunAt.After(now) }

// NextAfter is the job's next scheduled time once it has run (or been skipped) at now.
// An --every job advances from its last scheduled time, not from when the run ended,
// so it does not drift; runs missed while nothing was running are not replayed (the
// result is always after now). A cron job takes the expression's next time after now.
func (j Job) NextAfter(now time.Time) time.Time {
	now = now.UTC().Truncate(time.Second)
	if j.Schedule.Cron != "" {
		return j.Schedule.next(now)
	}
	every := j.Schedule.Every
	next := j.NextRunAt.UTC()
	if next.After(now) {
		return next
	}
	// Skip every slot at or before now in one step.
	missed := now.Sub(next)/every + 1
	return next.Add(missed * every)
}

// firstRun is when a new job first comes due: an --every job at once (so `jobs add`
// followed by `run-due` archives right away and later runs keep that phase), a cron
// job at its expression's next time.
func (s Schedule) firstRun(now time.Time) time.Time {
	now = now.UTC().Truncate(time.Second)
	if s.Cron != "" {
		return s.next(now)
	}
	return now
}

// AddJob stores a new job, first due as firstRun says. args are kept verbatim.
func (db *DB) AddJob(ctx context.Context, name string, s Schedule, args []string) (Job, error) {
	if !ValidJobName(name) {
		return Job{}, fmt.Errorf("add job: invalid name %q (letters, digits, '.', '_' and '-', at most 64)", name)
	}
	if s.Cron == "" && s.Every <= 0 || s.Cron != "" && s.cron == nil {
		return Job{}, fmt.Errorf("add job %s: schedule not validated (use NewSchedule)", name)
	}
	if args == nil {
		args = []string{}
	}
	a, err := json.Marshal(args)
	if err != nil {
		return Job{}, fmt.Errorf("add job %s: %w", name, err)
	}
	now := db.now().UTC().Truncate(time.Second)
	j := Job{Name: name, Schedule: s, Args: args, CreatedAt: now, NextRunAt: s.firstRun(now)}
	var every, cronExpr any
	if s.Cron != "" {
		cronExpr = s.Cron
	} else {
		every = int64(s.Every / time.Second)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (name, every_seconds, cron, args, created_at, next_run_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, every, cronExpr, string(a), stamp(now), stamp(j.NextRunAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrJobExists
		}
		return nil
	})
	if err != nil {
		return Job{}, fmt.Errorf("add job %s: %w", name, err)
	}
	return j, nil
}

const jobColumns = `name, every_seconds, cron, args, created_at, last_run_at, last_status, last_run_id, next_run_at`

// ListJobs returns every job, by name.
func (db *DB) ListJobs(ctx context.Context) ([]Job, error) {
	return db.queryJobs(ctx, `SELECT `+jobColumns+` FROM jobs ORDER BY name`)
}

// DueJobs returns the jobs due at now, most overdue first.
func (db *DB) DueJobs(ctx context.Context, now time.Time) ([]Job, error) {
	return db.queryJobs(ctx, `SELECT `+jobColumns+` FROM jobs WHERE next_run_at <= ? ORDER BY next_run_at, name`, stamp(now))
}

// GetJob returns one job, or ErrNoJob.
func (db *DB) GetJob(ctx context.Context, name string) (Job, error) {
	js, err := db.queryJobs(ctx, `SELECT `+jobColumns+` FROM jobs WHERE name = ?`, name)
	if err != nil {
		return Job{}, err
	}
	if len(js) == 0 {
		return Job{}, fmt.Errorf("job %s: %w", name, ErrNoJob)
	}
	return js[0], nil
}

// RemoveJob deletes a job, or returns ErrNoJob. Its past runs stay in crawl_runs.
func (db *DB) RemoveJob(ctx context.Context, name string) error {
	if err := db.execJob(ctx, `DELETE FROM jobs WHERE name = ?`, name); err != nil {
		return fmt.Errorf("remove job %s: %w", name, err)
	}
	return nil
}

// MarkJobRun records a run of the job: when it started, how it ended (ok, failed,
// interrupted or skipped), the crawl_runs id (0 when there is none) and the next
// scheduled time. ErrNoJob when the job was removed meanwhile.
func (db *DB) MarkJobRun(ctx context.Context, name string, started time.Time, status string, runID int64, next time.Time) error {
	var rid any
	if runID > 0 {
		rid = runID
	}
	if err := db.execJob(ctx, `UPDATE jobs SET last_run_at = ?, last_status = ?, last_run_id = coalesce(?, last_run_id), next_run_at = ? WHERE name = ?`,
		stamp(started), status, rid, stamp(next), name); err != nil {
		return fmt.Errorf("mark job %s: %w", name, err)
	}
	return nil
}

// SkipJob moves a job that could not run (another crawl was running) to its next
// time without touching its last run.
func (db *DB) SkipJob(ctx context.Context, name string, next time.Time) error {
	if err := db.execJob(ctx, `UPDATE jobs SET next_run_at = ? WHERE name = ?`, stamp(next), name); err != nil {
		return fmt.Errorf("skip job %s: %w", name, err)
	}
	return nil
}

func (db *DB) queryJobs(ctx context.Context, q string, args ...any) ([]Job, error) {
	ok, err := db.archiveHasTable(ctx, "jobs")
	if err != nil || !ok {
		return nil, err // an archive older than the jobs table has no jobs
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", classify(err))
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var (
			j                            Job
			every                        sql.NullInt64
			cronExpr, lastRun, lastState sql.NullString
			lastID                       sql.NullInt64
			args, created, next          string
		)
		if err := rows.Scan(&j.Name, &every, &cronExpr, &args, &created, &lastRun, &lastState, &lastID, &next); err != nil {
			return nil, fmt.Errorf("read jobs: %w", err)
		}
		if cronExpr.Valid {
			s, err := parseCron(cronExpr.String, false)
			if err != nil {
				return nil, fmt.Errorf("job %s: %w", j.Name, err)
			}
			j.Schedule = s
		} else {
			j.Schedule = Schedule{Every: time.Duration(every.Int64) * time.Second}
		}
		if err := json.Unmarshal([]byte(args), &j.Args); err != nil {
			return nil, fmt.Errorf("job %s: args: %w", j.Name, err)
		}
		j.CreatedAt = parseStampUTC(created)
		j.NextRunAt = parseStampUTC(next)
		if lastRun.Valid {
			t := parseStampUTC(lastRun.String)
			j.LastRunAt = &t
		}
		if lastState.Valid {
			j.LastStatus = &lastState.String
		}
		if lastID.Valid {
			j.LastRunID = &lastID.Int64
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	return out, nil
}

// MarshalJSON adds the schedule as every_seconds / cron to the job's JSON.
func (j Job) MarshalJSON() ([]byte, error) {
	type plain Job
	out := struct {
		plain
		Every *int64  `json:"every_seconds"`
		Cron  *string `json:"cron"`
	}{plain: plain(j)}
	if j.Schedule.Cron != "" {
		out.Cron = &j.Schedule.Cron
	} else {
		s := int64(j.Schedule.Every / time.Second)
		out.Every = &s
	}
	return json.Marshal(out)
}

// parseStampUTC reads a stored timestamp; a malformed one reads as the zero time.
func parseStampUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// archiveHasTable reports whether the archive has table name: a read-only archive is never
// migrated, so an old one may lack the crawl tables.
func (db *DB) archiveHasTable(ctx context.Context, name string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		return false, fmt.Errorf("inspect archive: %w", classify(err))
	}
	return n > 0, nil
}

// execJob runs one write on a job row in its own transaction; ErrNoJob when no row
// matched (the job does not exist, or was removed meanwhile).
func (db *DB) execJob(ctx context.Context, q string, args ...any) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoJob
		}
		return nil
	})
}
