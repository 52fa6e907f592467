package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// world is the real registry with the seed's images as OCI layouts, for the
// Go tests that run the shiptag binary (as testscript installs it in PATH)
// many times over generated situations.
type world struct {
	reg    *registrytest.Server
	images string // DIR/backend, DIR/frontend
	home   string
}

// newWorld starts an empty registry; a test that cannot have one fails in
// CI and skips elsewhere.
func newWorld(t *testing.T) *world {
	t.Helper()
	if why := registrytest.Missing(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the real-registry tests cannot run in CI: %s", why)
		}
		t.Skipf("skipping the real-registry tests: %s", why)
	}
	w := &world{reg: realRegistry(t), images: t.TempDir(), home: t.TempDir()}
	backend, frontend, err := sample.Seed(20_000)
	if err != nil {
		t.Fatal(err)
	}
	for dir, img := range map[string]source.Artifact{"backend": {Image: backend}, "frontend": {Image: frontend}} {
		if err := sample.WriteLayout(filepath.Join(w.images, dir), img); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// proxy starts a fault proxy in front of the registry for this test.
func (w *world) proxy(t *testing.T, f registrytest.Faults) *registrytest.Proxy {
	t.Helper()
	p, err := registrytest.StartProxy(w.reg, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { t.Logf("proxy injected %s", p.Faults()); p.Close() })
	return p
}

// result is what one shiptag run did.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
	tmp            string // its TMPDIR
}

// command returns shiptag with the world's environment, a TMPDIR of its
// own, and extra variables.
func (w *world) command(t *testing.T, ctx context.Context, dir string, extra []string, args ...string) (*exec.Cmd, *result) {
	t.Helper()
	bin, err := exec.LookPath("shiptag")
	if err != nil {
		t.Fatalf("shiptag is not in PATH (testscript's TestMain puts it there): %v", err)
	}
	r := &result{tmp: t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + w.home, "TMPDIR=" + r.tmp, "SSL_CERT_FILE=" + w.reg.CAFile,
		"SHIPTAG_USERNAME=" + w.reg.User, "SHIPTAG_PASSWORD=" + w.reg.Password, "GIT_CONFIG_NOSYSTEM=1", "AWS_EC2_METADATA_DISABLED=true",
		"GIT_CEILING_DIRECTORIES=" + filepath.Dir(dir)}, extra...)
	return cmd, r
}

// run runs shiptag to its end (two minutes at most).
func (w *world) run(t *testing.T, dir string, extra []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, r := w.command(t, ctx, dir, extra, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.took, r.stdout, r.stderr = time.Since(start), stdout.String(), stderr.String()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("shiptag %s: %v", strings.Join(args, " "), err)
	}
	return *r
}

// mustRun runs shiptag and fails the test unless it exits 0.
func (w *world) mustRun(t *testing.T, dir string, extra []string, args ...string) result {
	t.Helper()
	r := w.run(t, dir, extra, args...)
	if r.code != 0 {
		t.Fatalf("shiptag %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// leftIn lists what a run left in its TMPDIR.
func (r result) leftIn(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(r.tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
