package main

import (
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
