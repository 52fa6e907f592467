// Command bench measures shiptag beside the loops users would otherwise
// script with crane and skopeo, on the same real registry and the same
// seeded images, and reports medians and ratios. Run it with bench/run.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type options struct {
	tools   string // directory with shiptag, crane and regctl
	out     string // results directory
	runs    int
	layerMB float64
	quick   bool
	link    string // the link model, "DELAY,PERCONN_MB/s,TOTAL_MB/s"; "" skips it
	// cleanupTags is how many tags cleanup --dry-run reads on the link (0:
	// none); cleanupOnly skips the scenarios.
	cleanupTags int
	cleanupOnly bool
}

func main() {
	var o options
	flag.StringVar(&o.tools, "tools", "", "directory holding the shiptag and crane binaries (bench/run builds them)")
	flag.StringVar(&o.out, "out", "bench/results", "where latest.json and latest.md go")
	flag.IntVar(&o.runs, "runs", 5, "runs per scenario and tool; medians are reported")
	flag.Float64Var(&o.layerMB, "layer-mb", 12, "size of each layer in MB (seed images: 5 layers, 3 shared)")
	flag.BoolVar(&o.quick, "quick", false, "small layers (1 MB), for a check in under 3 minutes")
	flag.StringVar(&o.link, "link", "20ms,25,100", "the link model: one-way delay, MB/s per connection, MB/s in all (each direction); empty: loopback only")
	flag.IntVar(&o.cleanupTags, "cleanup-tags", 1000, "tags cleanup --dry-run reads through the link (0: skip), written to cleanup.json and cleanup.md")
	flag.BoolVar(&o.cleanupOnly, "cleanup-only", false, "measure only cleanup, leaving latest.json and latest.md as they are")
	flag.Parse()
	if o.quick {
		o.layerMB = 1
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.tools == "" || o.runs < 1 {
		return fmt.Errorf("--tools is required and --runs must be positive; use bench/run")
	}
	work, err := os.MkdirTemp("", "shiptag-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	model, err := parseLink(o.link)
	if err != nil {
		return err
	}
	env, err := startEnvironment(work, filepath.Join(o.tools, "regctl"))
	if err != nil {
		return err
	}
	defer env.stop()
	imgs, err := writeImages(filepath.Join(work, "images"), int(o.layerMB*1e6))
	if err != nil {
		return err
	}
	var linked *environment
	if model != nil {
		if linked, err = env.throughLink(filepath.Join(work, "link"), *model); err != nil {
			return err
		}
		defer linked.stop()
	}
	if !o.cleanupOnly {
		if err := runScenarios(o, env, linked, imgs, model); err != nil {
			return err
		}
	}
	if linked == nil || o.cleanupTags <= 0 {
		return nil
	}
	return measureCleanups(o, work, env, linked, imgs, *model)
}

// measureCleanups measures cleanup on docker-registry, on the same
// docker-registry open to anyone (what its password check costs per tag),
// then on the in-memory registry, all through the link, and writes the
// results.
func measureCleanups(o options, work string, env, linked *environment, imgs *images, model linkModel) error {
	bin := filepath.Join(o.tools, "shiptag")
	r, err := measureCleanup(env, linked, imgs, bin, o.cleanupTags)
	if err != nil {
		return fmt.Errorf("cleanup over %d tags: %w", o.cleanupTags, err)
	}
	r.Registry = "docker-registry (a bcrypt password check per request)"
	open, err := measureOpenCleanup(filepath.Join(work, "open-cleanup"), imgs, bin, o.cleanupTags, model)
	if err != nil {
		return fmt.Errorf("cleanup over %d tags on the open registry: %w", o.cleanupTags, err)
	}
	memLoop, memLink, err := env.inMemory(filepath.Join(work, "memory"), model)
	if err != nil {
		return err
	}
	defer memLoop.stop()
	defer memLink.stop()
	m, err := measureCleanup(memLoop, memLink, imgs, bin, o.cleanupTags)
	if err != nil {
		return fmt.Errorf("cleanup over %d tags in memory: %w", o.cleanupTags, err)
	}
	m.Registry = "go-containerregistry's, in memory (next to no cost per request)"
	return writeCleanup(o, model, []cleanupResult{r, open, m})
}

// measureOpenCleanup is measureCleanup on a docker-registry of its own,
// open to anyone, stopped afterwards.
func measureOpenCleanup(work string, imgs *images, bin string, n int, model linkModel) (cleanupResult, error) {
	open, linked, stop, err := openThroughLink(work, model)
	if err != nil {
		return cleanupResult{}, err
	}
	defer stop()
	r, err := measureCleanup(open, linked, imgs, bin, n)
	r.Registry = "docker-registry open to anyone (no password check)"
	return r, err
}

// runScenarios measures every scenario with every tool on loopback, then
// on the link (when linked is there), and writes the report.
func runScenarios(o options, env, linked *environment, imgs *images, model *linkModel) error {
	tools := toolsFor(o.tools)
	var rep report
	var err error
	if rep.loopback, err = measureAll(env, imgs, tools, o.runs, nil); err != nil {
		return err
	}
	if linked != nil {
		if rep.link, err = measureAll(linked, imgs, tools, o.runs, model); err != nil {
			return err
		}
		rep.model = *model
	}
	if linked != nil {
		if rep.open, err = measureOpen(linked, imgs, filepath.Join(o.tools, "shiptag"), o.runs, *model); err != nil {
			return err
		}
		if rep.rates, err = measureRates(linked, imgs, filepath.Join(o.tools, "shiptag"), o.runs, *model); err != nil {
			return err
		}
	}
	if rep.planMS, err = timePlan(filepath.Join(o.tools, "shiptag"), 21); err != nil {
		return err
	}
	if !o.quick {
		work, err := os.MkdirTemp("", "shiptag-bench-memory-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		if rep.memory, err = measureMemory(env, filepath.Join(o.tools, "shiptag"), work); err != nil {
			return fmt.Errorf("memory: %w", err)
		}
	}
	rep.machine = machine()
	return writeReport(o, rep)
}

// parseLink reads --link: "20ms,25,100" is a 20 ms delay each way, 25 MB/s
// per connection and 100 MB/s in all. Empty is no link.
func parseLink(s string) (*linkModel, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return nil, fmt.Errorf("--link %q: want DELAY,PERCONN_MB/s,TOTAL_MB/s, such as 20ms,25,100", s)
	}
	delay, err := time.ParseDuration(parts[0])
	perConn, err2 := strconv.ParseFloat(parts[1], 64)
	total, err3 := strconv.ParseFloat(parts[2], 64)
	if err != nil || err2 != nil || err3 != nil || delay < 0 || perConn <= 0 || total <= 0 {
		return nil, fmt.Errorf("--link %q: want DELAY,PERCONN_MB/s,TOTAL_MB/s, such as 20ms,25,100", s)
	}
	return &linkModel{OneWay: delay, PerConn: perConn * 1e6, Total: total * 1e6}, nil
}

// machine describes where the numbers were taken.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	out, _ := exec.Command("docker-registry", "--version").Output()
	return fmt.Sprintf("%d cores (%s), %s/%s, %s, %s", runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH,
		runtime.Version(), strings.TrimSpace(string(out)))
}
