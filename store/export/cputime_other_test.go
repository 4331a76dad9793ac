//go:build !unix

package export_test

import "time"

// cpuTime is not measured here; the posts/cpu-s metric is left out.
func cpuTime() time.Duration { return 0 }
