package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shiptag/shiptag/internal/registrytest"
)

// The request classes a publish sends, as the proxy names them.
var publishClasses = []string{"ping", "tag list", "manifest HEAD", "blob HEAD", "upload POST",
	"upload PUT", "blob mount", "manifest PUT"}

// The request classes a cleanup sends.
var cleanupClasses = []string{"ping", "tag list", "manifest GET", "blob GET", "manifest DELETE"}

var allWays = []string{registrytest.Fault500, registrytest.Fault429, registrytest.FaultReset, registrytest.FaultStall,
	registrytest.FaultQuiet}

// firstFaults fails the first requests of a class, one way: two for an
// answer, one for silence (which the transport waits out, then tries
// again). A run must still end as its dry run said.
func firstFaults(class, way string) registrytest.Faults {
	max := 2
	if way == registrytest.FaultStall || way == registrytest.FaultQuiet {
		max = 1
	}
	return registrytest.Faults{Rate: 1, Max: max, Kinds: []string{class}, Ways: []string{way}}
}

func safeName(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// publishArgs publishes the two seed images, which share three layers (so
// the second repository mounts them), under two tags.
func (w *world) publishArgs(repo string, extra ...string) []string {
	return append([]string{"publish", "--repo", repo, "--image", "backend=oci:" + w.images + "/backend",
		"--image", "frontend=oci:" + w.images + "/frontend", "--tag-custom", "a,b", "--output", "json", "--timeout", "1s"}, extra...)
}

// TestPublishThroughFaults: whatever class of request fails first, and
// however (500, 429, a reset, a stalled answer, no answer at all), publish
// ends with the dry run's references and digests.
func TestPublishThroughFaults(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dir := t.TempDir()
	for _, class := range publishClasses {
		for _, way := range allWays {
			t.Run(safeName(class)+"/"+way, func(t *testing.T) {
				t.Parallel()
				p := w.proxy(t, firstFaults(class, way))
				repo := p.Host + "/" + safeName(class+"-"+way)
				args := w.publishArgs(repo)
				if class == "tag list" { // a repository's tags are listed only for more than 3 of them
					args = append(args, "--tag-custom", "c,d")
				}
				dry := w.mustRun(t, dir, nil, append(args, "--dry-run")...)
				if p.Counter.Snapshot().Requests != 0 {
					t.Fatal("the dry run asked the registry")
				}
				r := w.run(t, dir, nil, args...)
				if r.code != 0 {
					t.Fatalf("exit %d after %s faults on %s:\n%s", r.code, way, class, r.stderr)
				}
				if p.Injected() == 0 {
					t.Fatalf("no %s request went through the proxy: the case tests nothing", class)
				}
				if r.stdout != dry.stdout {
					t.Errorf("result differs from the dry run:\n%s\nwant:\n%s", r.stdout, dry.stdout)
				}
			})
		}
	}
}

// TestCleanupThroughFaults: whatever class of request fails first, and
// however, cleanup deletes exactly what its dry run said, and keeps the rest.
func TestCleanupThroughFaults(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	repoDir := oneCommitRepo(t)
	for _, class := range cleanupClasses {
		for _, way := range allWays {
			t.Run(safeName(class)+"/"+way, func(t *testing.T) {
				t.Parallel()
				p := w.proxy(t, registrytest.Faults{})
				repo := p.Host + "/" + safeName("clean-"+class+"-"+way)
				for _, branch := range []string{"main", "gone"} {
					w.mustRun(t, repoDir, nil, "publish", "--repo", repo, "--image", "backend=oci:"+w.images+"/backend",
						"--tag-git-branch", branch)
				}
				args := []string{"cleanup", "--repo", repo, "--image", "backend", "--timeout", "1s"}
				dry := w.mustRun(t, repoDir, nil, append(args, "--dry-run")...)
				if !strings.Contains(dry.stdout, "would delete (dry run) 1 of 2 tags") {
					t.Fatalf("dry run:\n%s", dry.stdout)
				}
				p.Set(firstFaults(class, way))
				r := w.run(t, repoDir, nil, args...)
				if r.code != 0 {
					t.Fatalf("exit %d after %s faults on %s:\n%s", r.code, way, class, r.stderr)
				}
				if p.Injected() == 0 {
					t.Fatalf("no %s request went through the proxy: the case tests nothing", class)
				}
				want := strings.ReplaceAll(strings.ReplaceAll(dry.stdout, "would delete (dry run)", "deleted"), "delete  ", "deleted ")
				if r.stdout != want {
					t.Errorf("result differs from the dry run:\n%s\nwant:\n%s", r.stdout, want)
				}
				p.Set(registrytest.Faults{})
				again := w.mustRun(t, repoDir, nil, args...)
				if !strings.Contains(again.stdout, "deleted 0 of 1 tags") {
					t.Errorf("second run:\n%s", again.stdout)
				}
			})
		}
	}
}

// oneCommitRepo is a git repository with one branch, main, and one commit:
// every other branch's images are gone from its point of view.
func oneCommitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	runGit(t, dir, "init", "-q", "-b", "main")
	runGit(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	return dir
}

// runGit runs git in dir, isolated from the machine's configuration.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES=" + filepath.Dir(dir),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestFaultRates: with 10 % and 20 % of every request of every class
// failing, any way (no bound on their number), publish and cleanup still
// end as their dry runs said. Each rate runs several seeds; the log says
// how many runs held.
func TestFaultRates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	repoDir := oneCommitRepo(t)
	for _, rate := range []float64{0.10, 0.20} {
		for seed := uint64(1); seed <= 4; seed++ {
			name := fmt.Sprintf("%.0f%%/seed-%d", rate*100, seed)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := w.proxy(t, registrytest.Faults{})
				repo := p.Host + "/" + safeName("rate-"+name)
				dry := w.mustRun(t, repoDir, nil, w.publishArgs(repo, "--dry-run")...)
				p.Set(registrytest.Faults{Rate: rate, Seed: seed, Max: -1, Kinds: []string{""}, Ways: allWays})
				r := w.run(t, repoDir, nil, w.publishArgs(repo, "--timeout", "2s")...) // headroom for a loaded machine
				if r.code != 0 || r.stdout != dry.stdout {
					t.Fatalf("publish did not hold (exit %d) through %s:\n%s", r.code, p.Faults(), r.stderr)
				}
				publishFaults := p.Faults()
				p.Set(registrytest.Faults{})
				w.mustRun(t, repoDir, nil, "publish", "--repo", repo, "--image", "backend=oci:"+w.images+"/backend", "--tag-git-branch", "gone")
				args := []string{"cleanup", "--repo", repo, "--image", "backend", "--timeout", "2s"}
				plan := w.mustRun(t, repoDir, nil, append(args, "--dry-run")...)
				p.Set(registrytest.Faults{Rate: rate, Seed: seed, Max: -1, Kinds: []string{""}, Ways: allWays})
				c := w.run(t, repoDir, nil, args...)
				want := strings.ReplaceAll(strings.ReplaceAll(plan.stdout, "would delete (dry run)", "deleted"), "delete  ", "deleted ")
				if c.code != 0 || c.stdout != want {
					t.Fatalf("cleanup did not hold (exit %d) through %s:\n%s\n%s", c.code, p.Faults(), c.stdout, c.stderr)
				}
				t.Logf("held: publish in %s through %s; cleanup in %s through %s", r.took.Round(100*time.Millisecond),
					publishFaults, c.took.Round(100*time.Millisecond), p.Faults())
			})
		}
	}
}
