package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// cleanupResult is `shiptag cleanup --dry-run` over many tags of one image,
// each its own manifest and config (per-tag labels), as a long-lived
// repository has them.
type cleanupResult struct {
	Registry    string   `json:"registry"`
	Tags        int      `json:"tags"`
	Wall        float64  `json:"wall_s"`
	Requests    int      `json:"requests"`
	Connections int      `json:"tcp_connections"`
	PerTagMS    float64  `json:"ms_per_tag"`
	Extrapolate float64  `json:"s_for_10000_tags"`
	CPU         cpuTimes `json:"cpu"`
	// CPUBoundMS is all the CPU spent per tag, over the machine's cores:
	// the least time per tag on this machine, however the link is used.
	CPUBoundMS float64 `json:"cpu_bound_ms_per_tag"`
}

// measureCleanup publishes one image under n custom tags on loopback (the
// setup is not measured), then times cleanup --dry-run over them through
// the link.
func measureCleanup(loop, linked *environment, im *images, bin string, n int) (cleanupResult, error) {
	git := filepath.Join(loop.home, "cleanup-repo")
	for _, args := range [][]string{{"init", "-q", "-b", "main", git}, {"-C", git, "commit", "-q", "--allow-empty", "-m", "one"}} {
		cmd := exec.Command("git", args...)
		cmd.Env = append(loop.env, "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@example.com", "GIT_COMMITTER_NAME=b", "GIT_COMMITTER_EMAIL=b@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			return cleanupResult{}, fmt.Errorf("git %v: %w\n%s", args, err, out)
		}
	}
	tags := tagNames("c", n)
	const chunk = 250 // tags per publish, to keep command lines short
	for i := 0; i < n; i += chunk {
		cmd := []string{bin, "publish", "--repo", loop.root() + "/cleanup", "--image", "app=oci:" + im.layouts["backend"],
			"--tag-custom", strings.Join(tags[i:min(i+chunk, n)], ","), "--platform", "local"}
		if err := runAll(loop, [][]string{cmd}); err != nil {
			return cleanupResult{}, err
		}
	}
	conns := linked.link.Connections()
	linked.proxy.Counter.Reset()
	cmd := []string{bin, "cleanup", "--dry-run", "--repo", linked.host + "/bench/loopback/cleanup", "--image", "app",
		"--git-dir", git, "--platform", "local"}
	cpu := cpuClock()
	start := time.Now()
	client, err := runTimed(linked, [][]string{cmd})
	if err != nil {
		return cleanupResult{}, err
	}
	r := cleanupResult{Tags: n, Wall: time.Since(start).Seconds(), Requests: linked.proxy.Counter.Snapshot().Requests,
		Connections: linked.link.Connections() - conns}
	r.CPU = cpu.since(client)
	r.PerTagMS = 1000 * r.Wall / float64(n)
	r.Extrapolate = r.PerTagMS * 10
	r.CPUBoundMS = 1000 * (r.CPU.Client + r.CPU.Registry + r.CPU.Bench) / float64(runtime.NumCPU()) / float64(n)
	return r, nil
}

// writeCleanup writes the cleanup measurements beside latest.json.
func writeCleanup(o options, m linkModel, rs []cleanupResult) error {
	data, err := json.MarshalIndent(map[string]any{"link_model": m, "cleanup": rs}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil { // --cleanup-only into a new --out
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "cleanup.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "`shiptag cleanup --dry-run` over the tags of one image (each its own manifest and config), through the link "+
		"model (%s each way, %.0f MB/s per connection, %.0f MB/s in all):\n\n"+
		"| registry | tags | wall s | requests | TCP connections | ms per tag | 10,000 tags, s | CPU s: shiptag, registry, proxies | CPU bound, ms per tag |\n"+
		"|---|---|---|---|---|---|---|---|---|\n",
		m.OneWay, m.PerConn/1e6, m.Total/1e6)
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %.2f | %d | %d | %.1f | %.0f | %.2f, %.2f, %.2f | %.1f |\n", r.Registry, r.Tags, r.Wall, r.Requests,
			r.Connections, r.PerTagMS, r.Extrapolate, r.CPU.Client, r.CPU.Registry, r.CPU.Bench, r.CPUBoundMS)
	}
	fmt.Fprintf(&b, "\nThe CPU bound is all three CPU times over the machine's %d cores, per tag: the least time a tag can take "+
		"here, whatever the link allows. The two docker-registry rows differ only in the password check, so their difference "+
		"is what bcrypt costs per tag. The in-memory registry's CPU is in the proxies' column (it runs in the bench process).\n",
		runtime.NumCPU())
	fmt.Print(b.String())
	return os.WriteFile(filepath.Join(o.out, "cleanup.md"), []byte(b.String()), 0o644)
}
