package config

import (
	"errors"
	"testing"
	"time"

	"github.com/shiptag/shiptag/internal/inputs"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(*Config)
		jobs     int    // 0: automatic, checked for its bounds
		inputErr string // the input a check names
	}{
		{"defaults", func(*Config) {}, 0, ""},
		{"jobs as given", func(c *Config) { c.Jobs = 3 }, 3, ""},
		{"negative jobs", func(c *Config) { c.Jobs = -1 }, 0, "--jobs (SHIPTAG_JOBS)"},
		{"no wait", func(c *Config) { c.Timeout = 0 }, 0, "--timeout (SHIPTAG_TIMEOUT)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Defaults()
			tc.edit(&c)
			jobs, err := c.JobCount()
			if err == nil {
				err = c.CheckTimeout()
			}
			var ie *inputs.Error
			switch {
			case tc.inputErr != "":
				if !errors.As(err, &ie) || ie.Input != tc.inputErr {
					t.Errorf("error = %v, want one on %s", err, tc.inputErr)
				}
			case err != nil:
				t.Error(err)
			case tc.jobs == 0 && jobs != AutoJobs, tc.jobs != 0 && jobs != tc.jobs:
				t.Errorf("jobs = %d", jobs)
			}
		})
	}
	if Defaults().Timeout != Duration(60*time.Second) {
		t.Error("the default timeout is not 60s")
	}
}

// TestSmallJobCount checks the small requests: 64 at once when --jobs is
// left automatic, what the user gave otherwise, and the same refusal of a
// negative count as JobCount.
func TestSmallJobCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		jobs    int
		want    int
		wantErr bool
	}{
		{"automatic", 0, AutoSmallJobs, false},
		{"as given, fewer", 4, 4, false},
		{"as given, more", 200, 200, false},
		{"negative", -2, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Defaults()
			c.Jobs = tc.jobs
			got, err := c.SmallJobCount()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("SmallJobCount() = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
