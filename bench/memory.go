package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// memoryResult is one publish of a one-layer image from one kind of local
// source: the process's peak memory and the most it held in TMPDIR.
type memoryResult struct {
	Source    string  `json:"source"`
	LayerMB   int     `json:"layer_mb"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	TempMB    float64 `json:"tmpdir_peak_mb"`
	Wall      float64 `json:"wall_s"`
}

// memoryLayers are the layer sizes compared: memory flat in layer size is
// the same peak for both.
var memoryLayers = []int{32, 256}

// measureMemory publishes, on loopback, a one-layer image of each size
// from an OCI layout, an OCI archive and a docker save archive.
func measureMemory(e *environment, bin, work string) ([]memoryResult, error) {
	var out []memoryResult
	for _, mb := range memoryLayers {
		srcs, err := memorySources(filepath.Join(work, fmt.Sprint(mb)), mb)
		if err != nil {
			return nil, err
		}
		for _, kind := range []string{"oci", "oci-archive", "docker-archive"} {
			r, err := publishWatched(e, bin, filepath.Join(work, "tmp"), kind+":"+srcs[kind], fmt.Sprintf("%s/memory/%s/%s-%d", e.root(), strings.ToLower(filepath.Base(work)), kind, mb))
			if err != nil {
				return nil, err
			}
			r.Source, r.LayerMB = kind, mb
			out = append(out, r)
		}
	}
	return out, nil
}

// memorySources writes one image with one layer of mb MB in each form.
func memorySources(dir string, mb int) (map[string]string, error) {
	l, err := sample.Layer(uint64(7000+mb), mb*1e6)
	if err != nil {
		return nil, err
	}
	img, err := sample.Image("linux/amd64", l)
	if err != nil {
		return nil, err
	}
	srcs := map[string]string{"oci": filepath.Join(dir, "layout"), "oci-archive": filepath.Join(dir, "layout.tar"),
		"docker-archive": filepath.Join(dir, "save.tar")}
	if err := sample.WriteLayout(srcs["oci"], source.Artifact{Image: img}); err != nil {
		return nil, err
	}
	if err := sample.WriteArchive(srcs["oci"], srcs["oci-archive"]); err != nil {
		return nil, err
	}
	return srcs, sample.WriteDockerSave(img, srcs["docker-archive"], "app:1.0", nil)
}

// publishWatched publishes src to repo with a TMPDIR of its own, whose
// size is sampled while it runs.
func publishWatched(e *environment, bin, tmp, src, repo string) (memoryResult, error) {
	if err := os.RemoveAll(tmp); err != nil {
		return memoryResult{}, err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return memoryResult{}, err
	}
	cmd := exec.Command(bin, "publish", "--repo", repo, "--image", "="+src, "--tag-custom", "m", "--meta-labels", "none", "--platform", "local")
	cmd.Env = append(append([]string{}, e.env...), "TMPDIR="+tmp)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return memoryResult{}, err
	}
	var tempPeak, rssPeak atomic.Int64
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			tempPeak.Store(max(tempPeak.Load(), dirBytes(tmp)))
			rssPeak.Store(max(rssPeak.Load(), highWater(status)))
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-watched
	if err != nil {
		return memoryResult{}, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, log.String())
	}
	return memoryResult{Wall: time.Since(start).Seconds(), TempMB: float64(tempPeak.Load()) / 1e6,
		PeakRSSMB: float64(rssPeak.Load()) / 1e6}, nil
}

// highWater is a running process's peak resident memory in bytes (VmHWM
// in its /proc status; wait4's ru_maxrss would count the bench's own, which
// the child inherits at fork). 0 once it has ended.
func highWater(status string) int64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb * 1024
		}
	}
	return 0
}

// dirBytes is the size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// memoryTable is the results as markdown.
func memoryTable(rs []memoryResult) string {
	var b strings.Builder
	b.WriteString("| source | layer MB | peak RSS MB | TMPDIR peak MB | wall s |\n|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.2f |\n", r.Source, r.LayerMB, r.PeakRSSMB, r.TempMB, r.Wall)
	}
	return b.String()
}
