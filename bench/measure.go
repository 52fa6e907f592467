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

	"github.com/shiptag/shiptag/internal/publish"
)

// result is one scenario with one tool: medians over the runs.
type result struct {
	Scenario       string         `json:"scenario"`
	Tool           string         `json:"tool"`
	WallMedian     float64        `json:"wall_s_median"`
	Bytes          int64          `json:"bytes_uploaded"`
	Requests       int            `json:"requests"`
	Kinds          map[string]int `json:"requests_by_kind"`
	Runs           int            `json:"runs"`
	LimitBytes     int64          `json:"limit_bytes"`
	LimitManifests int            `json:"limit_manifest_puts"`
}

func measure(e *environment, im *images, sc scenario, t tool, runs int) (result, error) {
	r := result{Scenario: sc.name, Tool: t.name, Runs: runs}
	var err error
	if r.LimitBytes, r.LimitManifests, err = limits(im, sc); err != nil {
		return r, err
	}
	if sc.retag && e.srcImage == "" {
		if err := e.pushSource(im); err != nil {
			return r, err
		}
	}
	rerunRepo := fmt.Sprintf("%s/bench/rerun/%s", e.host, t.name)
	if sc.rerun {
		if err := runAll(e, t.publish(e, im, sc, rerunRepo, tagNames("t", sc.tags))); err != nil {
			return r, err
		}
	}
	var walls []float64
	var bytesSent []int64
	var requests []int
	for i := 1; i <= runs; i++ {
		repo := fmt.Sprintf("%s/bench/%s/%s/r%d", e.host, sc.name, t.name, i)
		var cmds [][]string
		switch {
		case sc.retag:
			cmds = t.retag(e, e.srcImage, repo, tagNames("t", sc.tags), tagNames(fmt.Sprintf("%s-r%d-", t.name, i), sc.tags))
		case sc.rerun:
			cmds = t.publish(e, im, sc, rerunRepo, tagNames("t", sc.tags))
		default:
			cmds = t.publish(e, im, sc, repo, tagNames("t", sc.tags))
		}
		if err := e.forgetBlobCache(); err != nil {
			return r, err
		}
		e.proxy.Counter.Reset()
		start := time.Now()
		if err := runAll(e, cmds); err != nil {
			return r, err
		}
		walls = append(walls, time.Since(start).Seconds())
		snap := e.proxy.Counter.Snapshot()
		bytesSent, requests, r.Kinds = append(bytesSent, snap.Bytes), append(requests, snap.Requests), snap.Kinds
	}
	r.WallMedian, r.Bytes, r.Requests = median(walls), median(bytesSent), median(requests)
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
	src := e.host + "/bench/src/app:v1"
	cmd := []string{"skopeo", "copy", "--quiet", "--dest-creds", e.creds, "--dest-cert-dir", e.certDir,
		"oci:" + im.layouts["backend"], "docker://" + src}
	if err := runAll(e, [][]string{cmd}); err != nil {
		return err
	}
	e.srcImage = src
	return nil
}

func runAll(e *environment, cmds [][]string) error {
	for _, c := range cmds {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Env = e.env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(c, " "), err, out.String())
		}
	}
	return nil
}

// limits is the least any tool must do: send each distinct blob once, and
// write one manifest per reference (plus each platform manifest of an index).
func limits(im *images, sc scenario) (int64, int, error) {
	switch {
	case sc.rerun:
		return 0, 0, nil
	case sc.retag:
		return 0, 2 * sc.tags, nil
	}
	seen := map[string]bool{}
	var total int64
	manifests := 0
	for _, n := range sc.images {
		a := im.artifacts[n]
		blobs, err := publish.ArtifactBlobs(a)
		if err != nil {
			return 0, 0, err
		}
		for _, b := range blobs {
			d, _ := b.Digest()
			size, _ := b.Size()
			if !seen[d.String()] {
				seen[d.String()], total = true, total+size
			}
		}
		manifests += sc.tags
		if a.Index != nil {
			m, err := a.Index.IndexManifest()
			if err != nil {
				return 0, 0, err
			}
			manifests += len(m.Manifests)
		}
	}
	return total, manifests, nil
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
