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
	"strings"
)

type options struct {
	tools   string // directory with shiptag and crane
	out     string // results directory
	runs    int
	layerMB float64
	quick   bool
}

func main() {
	var o options
	flag.StringVar(&o.tools, "tools", "", "directory holding the shiptag and crane binaries (bench/run builds them)")
	flag.StringVar(&o.out, "out", "bench/results", "where latest.json and latest.md go")
	flag.IntVar(&o.runs, "runs", 5, "runs per scenario and tool; medians are reported")
	flag.Float64Var(&o.layerMB, "layer-mb", 12, "size of each layer in MB (seed images: 5 layers, 3 shared)")
	flag.BoolVar(&o.quick, "quick", false, "small layers (1 MB), for a check in under 3 minutes")
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
	env, err := startEnvironment(work)
	if err != nil {
		return err
	}
	defer env.stop()
	imgs, err := writeImages(filepath.Join(work, "images"), int(o.layerMB*1e6))
	if err != nil {
		return err
	}
	var results []result
	for _, sc := range scenarios() {
		for _, t := range toolsFor(o.tools) {
			r, err := measure(env, imgs, sc, t, o.runs)
			if err != nil {
				return fmt.Errorf("%s with %s: %w", sc.name, t.name, err)
			}
			fmt.Fprintf(os.Stderr, "bench: %-6s %-7s %6.2fs %10d bytes %4d requests\n", sc.name, t.name, r.WallMedian, r.Bytes, r.Requests)
			results = append(results, r)
		}
	}
	planMS, err := timePlan(filepath.Join(o.tools, "shiptag"), 21)
	if err != nil {
		return err
	}
	return writeReport(o, results, imgs, planMS, machine())
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
