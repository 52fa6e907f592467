package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// result is one scenario with one tool: medians over the runs.
type result struct {
	Scenario       string         `json:"scenario"`
	Tool           string         `json:"tool"`
	WallMedian     float64        `json:"wall_s_median"`
	Bytes          int64          `json:"bytes_uploaded"`
	Requests       int            `json:"requests"`
	Kinds          map[string]int `json:"requests_by_kind"`
	Connections    int            `json:"tcp_connections,omitempty"` // on the link
	Runs           int            `json:"runs"`
	LimitBytes     int64          `json:"limit_bytes"`
	LimitManifests int            `json:"limit_manifest_puts"`
	LimitSeconds   float64        `json:"limit_s,omitempty"` // on the link
	// CPU is the medians of the CPU time the tool, the registry and the
	// proxies spent in a run: where the registry's own work bounds a run.
	CPU cpuTimes `json:"cpu"`
}

// samples are one scenario and tool's runs so far.
type samples struct {
	walls    []float64
	bytes    []int64
	requests []int
	conns    []int
	kinds    map[string]int
	cpu      []cpuTimes
}

// measureAll runs every scenario with every tool runs times, interleaved:
// each round runs each pair once, so that a change in the machine's load
// falls on every tool alike. The results are medians, scenario by scenario.
func measureAll(e *environment, im *images, tools []tool, runs int, m *linkModel) ([]result, error) {
	var cs []contender
	for _, t := range tools {
		cs = append(cs, contender{e: e, t: t})
	}
	return measureContenders(cs, im, runs, m)
}

// contender is a tool on a registry: one column of a comparison.
type contender struct {
	e *environment
	t tool
	// m is the link model e's link plays, where it is not the one
	// measureContenders was given (a pass at another rate).
	m *linkModel
}

// measureContenders is measureAll for tools on registries of their own,
// interleaved the same way.
func measureContenders(cs []contender, im *images, runs int, m *linkModel) ([]result, error) {
	scs := scenarios()
	got := make([][]samples, len(scs))
	for si, sc := range scs {
		got[si] = make([]samples, len(cs))
		for _, c := range cs {
			if err := prepare(c.e, im, sc, c.t); err != nil {
				return nil, fmt.Errorf("%s with %s: %w", sc.name, c.t.name, err)
			}
		}
	}
	for i := 1; i <= runs; i++ {
		for si, sc := range scs {
			for ci, c := range cs {
				if err := runOnce(c.e, im, sc, c.t, i, &got[si][ci]); err != nil {
					return nil, fmt.Errorf("%s with %s: %w", sc.name, c.t.name, err)
				}
			}
		}
	}
	var results []result
	for si, sc := range scs {
		for ci, c := range cs {
			model := m
			if c.m != nil {
				model = c.m
			}
			r, err := summarize(im, sc, c.t, runs, got[si][ci], model)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "bench: %-8s %-6s %-7s %6.2fs %10d bytes %4d requests\n", where(m), sc.name, c.t.name, r.WallMedian, r.Bytes, r.Requests)
			results = append(results, r)
		}
	}
	return results, nil
}

func where(m *linkModel) string {
	if m == nil {
		return "loopback"
	}
	return "link"
}

// prepare puts in the registry what a scenario starts from: the retag
// source, or the first, unmeasured run of a rerun.
func prepare(e *environment, im *images, sc scenario, t tool) error {
	if sc.retag && e.srcImage == "" {
		return e.pushSource(im)
	}
	if sc.rerun {
		return runAll(e, t.publish(e, im, sc, rerunRepo(e, t), tagNames("t", sc.tags)))
	}
	return nil
}

func rerunRepo(e *environment, t tool) string {
	return fmt.Sprintf("%s/rerun/%s", e.root(), t.name)
}

// runOnce measures run i of a scenario with a tool, on fresh repositories.
func runOnce(e *environment, im *images, sc scenario, t tool, i int, s *samples) error {
	repo := fmt.Sprintf("%s/%s/%s/r%d", e.root(), sc.name, t.name, i)
	var cmds [][]string
	switch {
	case sc.sameRepo:
		cmds = t.retag(e, e.srcImage, repoOf(e.srcImage), tagNames(fmt.Sprintf("%s-r%d-", t.name, i), sc.tags))
	case sc.retag:
		cmds = t.retag(e, e.srcImage, repo, tagNames("t", sc.tags))
	case sc.rerun:
		cmds = t.publish(e, im, sc, rerunRepo(e, t), tagNames("t", sc.tags))
	default:
		cmds = t.publish(e, im, sc, repo, tagNames("t", sc.tags))
	}
	if err := e.forgetBlobCache(); err != nil {
		return err
	}
	conns := 0
	if e.link != nil {
		conns = e.link.Connections()
	}
	e.proxy.Counter.Reset()
	cpu := cpuClock()
	start := time.Now()
	client, err := runTimed(e, cmds)
	if err != nil {
		return err
	}
	s.walls = append(s.walls, time.Since(start).Seconds())
	s.cpu = append(s.cpu, cpu.since(client))
	snap := e.proxy.Counter.Snapshot()
	s.bytes, s.requests, s.kinds = append(s.bytes, snap.Bytes), append(s.requests, snap.Requests), snap.Kinds
	if e.link != nil {
		s.conns = append(s.conns, e.link.Connections()-conns)
	}
	return nil
}

// summarize is a scenario and tool's medians, with the scenario's limits.
func summarize(im *images, sc scenario, t tool, runs int, s samples, m *linkModel) (result, error) {
	r := result{Scenario: sc.name, Tool: t.name, Runs: runs, Kinds: s.kinds,
		WallMedian: median(s.walls), Bytes: median(s.bytes), Requests: median(s.requests)}
	if len(s.conns) > 0 {
		r.Connections = median(s.conns)
	}
	r.CPU = medianCPU(s.cpu)
	var err error
	if r.LimitBytes, r.LimitManifests, err = limits(im, sc); err != nil {
		return r, err
	}
	if m != nil {
		largest, err := largestBlob(im, sc)
		if err != nil {
			return r, err
		}
		r.LimitSeconds = m.limit(sc, r.LimitBytes, largest)
	}
	return r, nil
}

// forgetBlobCache removes skopeo's blob-info cache, which remembers where
// earlier runs put each blob and mounts from there: every run must start
// as a fresh CI job does, with nothing remembered.
func (e *environment) forgetBlobCache() error {
	for _, dir := range []string{"/var/lib/containers/cache", filepath.Join(e.home, ".local/share/containers/cache")} {
		matches, _ := filepath.Glob(filepath.Join(dir, "blob-info-cache-v1*"))
		for _, m := range matches {
			if err := os.Remove(m); err != nil {
				return fmt.Errorf("clearing skopeo's blob cache: %w", err)
			}
		}
	}
	return nil
}

// pushSource puts the retag scenario's source in the registry, once.
func (e *environment) pushSource(im *images) error {
	src := e.root() + "/src/app:v1"
	cmd := append(skopeoCopy(e, false), "oci:"+im.layouts["backend"], "docker://"+src)
	if err := runAll(e, [][]string{cmd}); err != nil {
		return err
	}
	e.srcImage = src
	return nil
}

func runAll(e *environment, cmds [][]string) error {
	_, err := runTimed(e, cmds)
	return err
}

// runTimed runs cmds one after the other and returns the CPU time they
// spent, user and system.
func runTimed(e *environment, cmds [][]string) (time.Duration, error) {
	var cpu time.Duration
	for _, c := range cmds {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Env = e.env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return cpu, fmt.Errorf("%s: %w\n%s", strings.Join(c, " "), err, out.String())
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return cpu, nil
}

func median[T int | int64 | float64](xs []T) T {
	s := append([]T(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// timePlan runs `shiptag plan` for the seed example n times, as a whole
// process, and returns the median in milliseconds.
func timePlan(bin string, n int) (float64, error) {
	var ms []float64
	for i := 0; i < n; i++ {
		start := time.Now()
		out, err := exec.Command(bin, "plan", "--repo", "registry.hello.com/web/core/system", "--image", "backend",
			"--image", "frontend", "--tag-custom", "v1.2.0", "--platform", "local").CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("shiptag plan: %w\n%s", err, out)
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	return median(ms), nil
}
