package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/sample"
)

// silentFaults leaves every request of the given kinds unanswered
// ("" is every kind).
func silentFaults(kinds ...string) registrytest.Faults {
	return registrytest.Faults{Rate: 1, Max: -1, Kinds: kinds, Ways: []string{registrytest.FaultQuiet}}
}

// TestSilentRegistry: a registry that stops answering, from the first
// request or at any one class of request, fails publish and cleanup in
// bounded time (--timeout 1s here), with an error naming the registry and
// the wait; nothing is left in TMPDIR.
func TestSilentRegistry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	repoDir := oneCommitRepo(t)
	cases := map[string][]string{"publish/everything": {""}, "cleanup/everything": {""}}
	for _, class := range publishClasses {
		cases["publish/"+class] = []string{class}
	}
	for _, class := range cleanupClasses {
		cases["cleanup/"+class] = []string{class}
	}
	for name, kinds := range cases {
		t.Run(safeName(name), func(t *testing.T) {
			t.Parallel()
			p := w.proxy(t, registrytest.Faults{})
			repo := p.Host + "/" + safeName("silent-"+name)
			args := w.publishArgs(repo)
			if strings.HasPrefix(name, "cleanup/") {
				w.mustRun(t, repoDir, nil, "publish", "--repo", repo, "--image", "backend=oci:"+w.images+"/backend", "--tag-git-branch", "gone")
				args = []string{"cleanup", "--repo", repo, "--image", "backend", "--timeout", "1s"}
			}
			dry := w.mustRun(t, repoDir, nil, append(args, "--dry-run")...)
			p.Set(silentFaults(kinds...))
			r := w.run(t, repoDir, nil, args...)
			t.Logf("%s: exit %d after %s", name, r.code, r.took.Round(100*time.Millisecond))
			switch {
			case r.code == 0 && strings.HasPrefix(name, "publish/"):
				// A class publish can do without (a tag list, a mount): it
				// must then publish what the dry run said.
				if r.stdout != dry.stdout {
					t.Errorf("exit 0, but the result differs from the dry run:\n%s\nwant:\n%s", r.stdout, dry.stdout)
				}
			case r.code != 1 || !strings.Contains(r.stderr, p.Host) || !strings.Contains(r.stderr, "no answer for 1s"):
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 naming %s and the wait", r.code, r.stderr, p.Host)
			}
			if r.took > 30*time.Second {
				t.Errorf("took %s to fail", r.took)
			}
			if left := r.leftIn(t); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

// TestSignals: SIGTERM while shiptag waits on a registry in any phase
// (reading a registry source, the push check, an upload, a manifest,
// cleanup's tag list and manifest reads) ends the run within 5 s, exit 1,
// saying it was stopped, with nothing left in TMPDIR (an oci-archive
// source is read in place).
func TestSignals(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	repoDir := oneCommitRepo(t)
	archive := filepath.Join(t.TempDir(), "backend.tar")
	if err := sample.WriteArchive(filepath.Join(w.images, "backend"), archive); err != nil {
		t.Fatal(err)
	}
	phases := map[string]string{"first contact": "ping", "source read": "manifest GET", "push check": "upload POST",
		"upload": "upload PUT", "manifest": "manifest PUT", "cleanup tag list": "tag list", "cleanup read": "manifest GET"}
	for phase, class := range phases {
		t.Run(safeName(phase), func(t *testing.T) {
			t.Parallel()
			p := w.proxy(t, registrytest.Faults{})
			repo := p.Host + "/" + safeName("signal-"+phase)
			args := []string{"publish", "--repo", repo, "--image", "backend=oci-archive:" + archive,
				"--image", "frontend=oci:" + w.images + "/frontend", "--tag-custom", "a", "--timeout", "10m"}
			switch {
			case phase == "source read":
				w.mustRun(t, repoDir, nil, "publish", "--repo", repo, "--image", "=oci:"+w.images+"/backend", "--tag-custom", "src")
				args = []string{"publish", "--repo", w.reg.Host + "/signal-copy", "--image", "=docker://" + repo + ":src",
					"--tag-custom", "a", "--timeout", "10m"}
			case strings.HasPrefix(phase, "cleanup"):
				w.mustRun(t, repoDir, nil, "publish", "--repo", repo, "--image", "backend=oci:"+w.images+"/backend", "--tag-git-branch", "gone")
				args = []string{"cleanup", "--repo", repo, "--image", "backend", "--timeout", "10m"}
			}
			p.Set(silentFaults(class))
			r := w.signalWhenStuck(t, p, repoDir, args)
			if r.code != 1 || !strings.Contains(r.stderr, "stopped: terminated signal received") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1, stopped by the signal", r.code, r.stderr)
			}
			if left := r.leftIn(t); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

// signalWhenStuck starts shiptag, sends SIGTERM once the proxy holds one of
// its requests, and waits 5 s at most for it to end.
func (w *world) signalWhenStuck(t *testing.T, p *registrytest.Proxy, dir string, args []string) result {
	t.Helper()
	cmd, r := w.command(t, context.Background(), dir, nil, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	for deadline := time.Now().Add(time.Minute); p.Injected() == 0; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-ended:
			t.Fatalf("ended before it was stuck (%v):\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("never got stuck:\n%s", stderr.String())
		}
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		r.took = time.Since(start)
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			r.code = exit.ExitCode()
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-ended
		t.Fatalf("still running 5 s after SIGTERM:\n%s", stderr.String())
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	t.Logf("ended %s after SIGTERM", r.took.Round(10*time.Millisecond))
	return *r
}
