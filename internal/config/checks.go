package config

import (
	"runtime"

	"github.com/shiptag/shiptag/internal/inputs"
)

// JobCount resolves --jobs: 0 means twice the CPUs, kept between 4 and 16,
// since uploads wait on the network far more than on the CPU.
func (c Config) JobCount() (int, error) {
	switch {
	case c.Jobs < 0:
		return 0, inputs.Errorf("jobs", "%d is negative: use 0 (automatic) or a positive number", c.Jobs)
	case c.Jobs == 0:
		return min(max(2*runtime.NumCPU(), 4), 16), nil
	}
	return c.Jobs, nil
}

// CheckTimeout refuses a --timeout that would fail every request.
func (c Config) CheckTimeout() error {
	if c.Timeout <= 0 {
		return inputs.Errorf("timeout", "%s is not a wait: give a duration above zero, such as 60s or 2m", c.Timeout)
	}
	return nil
}
