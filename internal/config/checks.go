package config

import (
	"github.com/shiptag/shiptag/internal/inputs"
)

// AutoJobs is the requests in flight of --jobs 0: enough to keep a link to
// a cloud registry busy (tens of milliseconds away, a few tens of MB/s per
// connection), few enough that no registry takes them for abuse.
const AutoJobs = 16

// JobCount resolves --jobs: 0 means AutoJobs, whatever the CPU count, since
// uploads wait on the network far more than on the CPU.
func (c Config) JobCount() (int, error) {
	switch {
	case c.Jobs < 0:
		return 0, inputs.Errorf("jobs", "%d is negative: use 0 (automatic) or a positive number", c.Jobs)
	case c.Jobs == 0:
		return AutoJobs, nil
	}
	return c.Jobs, nil
}

// AutoSmallJobs is the small requests in flight under --jobs 0: tag reads,
// blob probes, mounts and manifest writes, cleanup's manifest and config
// reads. They carry next to no bytes and share one HTTP/2 connection where
// the registry offers it, so they wait on round trips alone: a publish of
// 50 tags would otherwise write its manifests 16 at a time, in 4 round trips,
// and a cleanup would read 16 tags per two round trips.
const AutoSmallJobs = 64

// SmallJobCount resolves --jobs for small requests: 0 means AutoSmallJobs,
// any other value is taken as JobCount takes it.
func (c Config) SmallJobCount() (int, error) {
	if c.Jobs == 0 {
		return AutoSmallJobs, nil
	}
	return c.JobCount()
}

// CheckTimeout refuses a --timeout that would fail every request.
func (c Config) CheckTimeout() error {
	if c.Timeout <= 0 {
		return inputs.Errorf("timeout", "%s is not a wait: give a duration above zero, such as 60s or 2m", c.Timeout)
	}
	return nil
}
