package main

import (
	"path/filepath"
	"strings"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/scraper/engines"
)

// loadProfile builds the engine of a --profile file. The scraper package cannot load
// profiles itself (scraper/engines imports scraper), so cmd builds the engine and
// hands the value down through Options/ArchiveConfig/CrawlConfig.Profile.
//
// A profile that does not load is a usage error: the message names the file and the
// offending key, and nothing is fetched.
func loadProfile(path, engine string) (scraper.Engine, error) {
	if path == "" {
		if engine == "generic" {
			return nil, usagef("--engine generic needs --profile FILE, a YAML or JSON file naming the selectors of the site (see README, \"Site profiles\")")
		}
		return nil, nil
	}
	if engine != "" && engine != "generic" {
		return nil, usagef("--profile and --engine %s exclude each other: a profile always uses the generic engine", engine)
	}
	e, err := engines.LoadProfile(path)
	if err != nil {
		return nil, usagef("--profile: %w", err)
	}
	return e, nil
}

// absProfileArgs rewrites a job's --profile FILE to an absolute path and checks that
// the profile loads, because scheduled runs start from another working directory
// and a broken profile should be refused when the job is added, not at 3 a.m.
func absProfileArgs(args []string) ([]string, error) {
	out := append([]string(nil), args...)
	generic, profile := false, false
	for i, a := range out {
		generic = generic || a == "--engine=generic" || a == "--engine" && i+1 < len(out) && out[i+1] == "generic"
		profile = profile || a == "--profile" || strings.HasPrefix(a, "--profile=")
	}
	if generic && !profile {
		return nil, usagef("jobs add: --engine generic needs --profile FILE")
	}
	for i := 0; i < len(out); i++ {
		var path *string
		switch a := out[i]; {
		case a == "--profile" && i+1 < len(out):
			i++
			path = &out[i]
		case strings.HasPrefix(a, "--profile="):
			v := strings.TrimPrefix(a, "--profile=")
			abs, err := checkProfile(v)
			if err != nil {
				return nil, err
			}
			out[i] = "--profile=" + abs
			continue
		default:
			continue
		}
		abs, err := checkProfile(*path)
		if err != nil {
			return nil, err
		}
		*path = abs
	}
	return out, nil
}

func checkProfile(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", usagef("--profile %s: %w", path, err)
	}
	if _, err := engines.LoadProfile(abs); err != nil {
		return "", usagef("--profile: %w", err)
	}
	return abs, nil
}
