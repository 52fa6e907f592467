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

// AutoReadJobs is the tag reads in flight of cleanup under --jobs 0. Each
// tag costs two small requests, one after the other (its manifest, then its
// config), so a cleanup waits on round trips, not bytes; the reads share one
// HTTP/2 connection where the registry offers it.
const AutoReadJobs = 64

// ReadJobCount resolves --jobs for cleanup's reads: 0 means AutoReadJobs,
// any other value is taken as JobCount takes it.
func (c Config) ReadJobCount() (int, error) {
	if c.Jobs == 0 {
		return AutoReadJobs, nil
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
