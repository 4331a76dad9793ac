package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
)

func (a *app) scheduleCmd() *cobra.Command {
	var reload time.Duration
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Stay in the foreground and run jobs as they come due (for Docker and service managers)",
		Long: `Run the archive's jobs as they come due, until stopped with Ctrl-C or SIGTERM.

The job list is re-read every --reload interval, so jobs added or removed with
'forumarc jobs' while it runs are picked up. Only one crawl runs at a time: a job
that comes due while another crawl runs is skipped (logged) and runs once that
crawl ends; a job that comes due while another process crawls this archive is
skipped to its next time. Stopping interrupts the running crawl at a safe point
(everything fetched is committed; the job stays due and resumes next time) and
exits 0.`,
		Example: `  forumarc --db /data/forum.db schedule
  docker run -d --name forumarc -v forumarc-data:/data forumarc --db /data/forum.db --log-format json schedule`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reload <= 0 {
				return usagef("--reload must be positive, not %s", reload)
			}
			return a.schedule(cmd.Context(), reload)
		},
	}
	cmd.Flags().DurationVar(&reload, "reload", time.Minute, "how often to re-read the job list")
	return cmd
}

// jobScheduler keeps one gocron one-time job per stored job, at the job's next_run_at:
// the table is the single source of truth, shared with run-due, jobs list and status,
// and gocron does the waiting, the timers and the orderly shutdown.
type jobScheduler struct {
	a      *app
	db     *store.DB
	gs     gocron.Scheduler
	ctx    context.Context
	reload time.Duration

	crawl sync.Mutex // held while a job's crawl runs: never two at once

	mu        sync.Mutex // guards the fields below
	reg       map[string]registeredJob
	running   string
	lastStart map[string]jobStart
	kick      chan struct{}
}

// jobStart remembers the last run started for a job: which scheduled time it was for
// and when it began.
type jobStart struct{ slot, at time.Time }

type registeredJob struct {
	id  uuid.UUID
	sig string // schedule, args and next run: a change re-registers the job
}

// schedulerIdle is set while 'schedule' waits with no crawl running, so the notice
// of the first Ctrl-C (main.go) does not speak of a step to finish.
var schedulerIdle atomic.Bool

// interruptNotice is what the first Ctrl-C or SIGTERM prints.
func interruptNotice() string {
	if schedulerIdle.Load() {
		return "forumarc: interrupted; stopping the scheduler (no crawl is running)"
	}
	return "forumarc: interrupted; finishing the current step (press Ctrl-C again to abort)"
}

func (a *app) schedule(ctx context.Context, reload time.Duration) error {
	db, err := a.openJobsDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	gs, err := gocron.NewScheduler(
		gocron.WithLocation(time.UTC),
		gocron.WithLogger(gocronLogger{a.log.With("component", "gocron")}),
		gocron.WithStopTimeout(5*time.Minute), // the interrupted crawl commits and records its run
	)
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	s := &jobScheduler{a: a, db: db, gs: gs, ctx: ctx, reload: reload,
		reg: map[string]registeredJob{}, lastStart: map[string]jobStart{}, kick: make(chan struct{}, 1)}
	schedulerIdle.Store(true)
	defer schedulerIdle.Store(false)
	gs.Start()
	n := s.sync()
	a.log.Info("scheduler started", "db", a.dbPath, "jobs", n, "reload", reload.String())
	t := time.NewTicker(reload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.mu.Lock()
			running := s.running
			s.mu.Unlock()
			if running != "" {
				a.log.Info("scheduler stopping: waiting for the running crawl to reach a safe point", "job", running)
			} else {
				a.log.Info("scheduler stopping")
			}
			if err := gs.Shutdown(); err != nil {
				a.log.Warn("scheduler shutdown", "err", err)
			}
			a.log.Info("scheduler stopped")
			return nil
		case <-t.C:
			s.sync()
		case <-s.kick:
			s.sync()
		}
	}
}

// sync makes the registered gocron jobs match the jobs table and returns how many
// jobs there are.
func (s *jobScheduler) sync() int {
	if s.ctx.Err() != nil {
		return 0
	}
	jobs, err := s.db.ListJobs(s.ctx)
	if err != nil {
		s.a.log.Warn("cannot read jobs; keeping the current schedule", "err", err)
		return len(s.reg)
	}
	now := s.a.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	busy := s.running != ""
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[j.Name] = true
		sig := j.Schedule.String() + "\x00" + j.NextRunAt.Format(time.RFC3339) + "\x00" + strings.Join(j.Args, "\x00")
		r, ok := s.reg[j.Name]
		if ok && r.sig == sig {
			continue
		}
		if ok {
			_ = s.gs.RemoveJob(r.id) // gone already when it fired
			delete(s.reg, j.Name)
		}
		due := j.Due(now)
		if due && busy {
			continue // registered when the running crawl ends
		}
		def := gocron.OneTimeJob(gocron.OneTimeJobStartDateTime(j.NextRunAt))
		if due {
			def = gocron.OneTimeJob(gocron.OneTimeJobStartImmediately())
		}
		gj, err := s.gs.NewJob(def, gocron.NewTask(s.fire, j.Name), gocron.WithName(j.Name), gocron.WithTags(j.Name))
		if errors.Is(err, gocron.ErrOneTimeJobStartDateTimePast) {
			gj, err = s.gs.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()), gocron.NewTask(s.fire, j.Name),
				gocron.WithName(j.Name), gocron.WithTags(j.Name))
		}
		if err != nil {
			s.a.log.Error("cannot schedule job", "job", j.Name, "err", err)
			continue
		}
		s.reg[j.Name] = registeredJob{id: gj.ID(), sig: sig}
		if ok {
			s.a.log.Debug("job rescheduled", "job", j.Name, "next", jobsTime(j.NextRunAt))
		} else {
			s.a.log.Info("job scheduled", "job", j.Name, "schedule", j.Schedule.String(), "next", jobsTime(j.NextRunAt))
		}
	}
	for name, r := range s.reg {
		if !seen[name] {
			_ = s.gs.RemoveJob(r.id)
			delete(s.reg, name)
			s.a.log.Info("job removed from the schedule", "job", name)
		}
	}
	return len(jobs)
}

// fire runs when a job's time comes. It runs the job unless a crawl is already on.
func (s *jobScheduler) fire(name string) {
	// Afterwards sync at once, except when nothing changed in the table: re-registering
	// a due job then would only fire it again in a loop; the next reload retries it.
	wake := true
	defer func() {
		if wake {
			s.wake()
		}
	}()
	s.mu.Lock()
	if r, ok := s.reg[name]; ok {
		r.sig = "" // fired: the next sync registers its new time
		s.reg[name] = r
	}
	s.mu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	j, err := s.db.GetJob(s.ctx, name)
	if errors.Is(err, store.ErrNoJob) {
		return
	}
	if err != nil {
		s.a.log.Error("cannot read job", "job", name, "err", err)
		wake = false
		return
	}
	now := s.a.now()
	if !j.Due(now) {
		return // run elsewhere (run-due) or rescheduled meanwhile
	}
	if !s.crawl.TryLock() {
		s.mu.Lock()
		running := s.running
		s.mu.Unlock()
		s.a.log.Warn("job due while another crawl runs: skipped; it runs when that crawl ends", "job", name, "running", running)
		return
	}
	defer s.crawl.Unlock()
	s.mu.Lock()
	if last, ok := s.lastStart[name]; ok && last.slot.Equal(j.NextRunAt) && time.Since(last.at) < s.reload {
		// This slot already ran but was not moved on (refused by the lock, or an
		// archive error): try again at the next reload, not in a tight loop.
		s.mu.Unlock()
		wake = false
		return
	}
	s.running = name
	schedulerIdle.Store(false)
	s.lastStart[name] = jobStart{slot: j.NextRunAt, at: time.Now()}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = ""
		schedulerIdle.Store(true)
		s.mu.Unlock()
	}()
	if holder, err := s.db.LockHolder(s.ctx); err == nil && holder != nil {
		next := j.NextAfter(now)
		s.a.log.Warn("job skipped: another process is crawling this archive", "job", name,
			"holder", holder.Command, "pid", holder.PID, "host", holder.Host, "next", jobsTime(next))
		if err := s.db.SkipJob(s.ctx, name, next); err != nil {
			s.a.log.Error("cannot reschedule skipped job", "job", name, "err", err)
			wake = false
		}
		return
	}
	s.a.runStoredJob(s.ctx, s.db, j)
}

// gocronLogger passes gocron's messages to slog, its routine Info lines as Debug.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Debug(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }

// wake asks the loop to sync now (after a run, so the job's new time is registered and
// jobs held back while it ran get their turn).
func (s *jobScheduler) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
