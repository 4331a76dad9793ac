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
	if engine != "" {
		if _, ok := scraper.Lookup(engine); !ok {
			return nil, usagef("--engine: unknown engine %q (see 'forumarc engines')", engine)
		}
	}
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

// absPathArgs rewrites a job's --profile and --cookies FILE to absolute paths, because
// scheduled runs start from another working directory. The arguments are checked
// (and the files loaded) before, with the crawl's own checks.
func absPathArgs(args []string) ([]string, error) {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		for _, flag := range []string{"--profile", "--cookies"} {
			var path string
			switch a := out[i]; {
			case a == flag && i+1 < len(out):
				path = out[i+1]
			case strings.HasPrefix(a, flag+"="):
				path = strings.TrimPrefix(a, flag+"=")
			default:
				continue
			}
			if path == "" {
				continue
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				return nil, usagef("%s %s: %w", flag, path, err)
			}
			if out[i] == flag {
				i++
				out[i] = abs
			} else {
				out[i] = flag + "=" + abs
			}
			break
		}
	}
	return out, nil
}
