package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inprocess"
)

// engine is a Docker Engine the image tests run containers in.
type engine struct {
	t    *testing.T
	host string // DOCKER_HOST
}

// requireImage returns the image archive scripts/build-image wrote and the
// engine .ci/run started (SHIPTAG_IMAGE_ARCHIVE, SHIPTAG_TEST_DOCKER_HOST):
// in CI both must be there.
func requireImage(t *testing.T) (string, *engine) {
	t.Helper()
	archive, host := os.Getenv("SHIPTAG_IMAGE_ARCHIVE"), os.Getenv("SHIPTAG_TEST_DOCKER_HOST")
	if _, err := exec.LookPath("docker"); err != nil || archive == "" || host == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the image test needs SHIPTAG_IMAGE_ARCHIVE (bash scripts/build-image) and SHIPTAG_TEST_DOCKER_HOST (a running dockerd); .ci/run sets both")
		}
		t.Skip("no image archive or Docker Engine: .ci/run builds the one and starts the other")
	}
	return archive, &engine{t: t, host: host}
}

// docker runs the docker command and returns its standard output.
func (e *engine) docker(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DOCKER_HOST=" + e.host, "HOME=" + e.t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestImage publishes the release image with shiptag, then has the engine
// pull it and run it the three ways users do: as a command, as GitLab runs
// a job's script (no entrypoint, sh -c), and as GitHub runs a Docker
// container action (workspace and file commands mounted, the job's
// variables set), where plan and publish write the step outputs and reach
// the registry and cleanup reads a workspace owned by another user.
func TestImage(t *testing.T) {
	archive, e := requireImage(t)
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	image := reg.Host + "/shiptag:test"
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"publish", "--repo", reg.Host + "/shiptag", "--image", "=oci-archive:" + archive,
		"--tag-custom", "test", "--meta-labels", "none", "--platform", "local"}, nil, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("publishing the image: exit %d\n%s", code, stderr.String())
	}
	// The engine takes plain HTTP from a registry on loopback.
	e.docker("pull", "-q", image)
	t.Cleanup(func() { e.docker("rmi", "-f", image) })
	if got := e.docker("run", "--rm", image, "version"); !strings.HasPrefix(got, "shiptag v") {
		t.Errorf("docker run IMAGE version = %q", got)
	}
	gitlab := e.docker("run", "--rm", "--entrypoint", "", image, "sh", "-c", "shiptag version && git --version && touch /tmp/x && id -u")
	if !strings.Contains(gitlab, "git version 2.") || !strings.HasSuffix(gitlab, "0\n") {
		t.Errorf("GitLab's way: %q", gitlab)
	}
	t.Run("GitHub's way", func(t *testing.T) { githubContainer(t, e, image, reg.Host) })
}

// githubContainer runs the image as GitHub runs a Docker container action,
// on a workspace owned by uid 1001 as a hosted runner's is.
func githubContainer(t *testing.T, e *engine, image, registry string) {
	ws, files := t.TempDir(), t.TempDir()
	gitRepo(t, ws, "feature-x", map[string]string{"README": "app\n"}) // with build/backend
	sha := runGit(t, ws, "rev-parse", "HEAD")
	if err := exec.Command("chown", "-R", "1001:1001", ws).Run(); err != nil {
		t.Fatalf("chown the workspace to uid 1001 (the test runs as root in CI): %v", err)
	}
	docker := func(args ...string) string {
		base := []string{"run", "--rm", "--network", "host", "--workdir", "/github/workspace",
			"-v", ws + ":/github/workspace", "-v", files + ":/github/file_commands",
			"-e", "GITHUB_ACTIONS=true", "-e", "CI=true", "-e", "GITHUB_WORKSPACE=/github/workspace",
			"-e", "GITHUB_OUTPUT=/github/file_commands/set_output", "-e", "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary",
			"-e", "GITHUB_REF=refs/heads/feature-x", "-e", "GITHUB_REF_NAME=feature-x", "-e", "GITHUB_REF_TYPE=branch",
			"-e", "GITHUB_REPOSITORY=octo/app", "-e", "GITHUB_SHA=" + sha, "-e", "GITHUB_EVENT_NAME=push",
			"-e", "SHIPTAG_REPO=" + registry + "/app", "-e", "SHIPTAG_INSECURE_REGISTRY=" + registry, image}
		return e.docker(append(base, args...)...)
	}
	docker("plan", "--image", "web", "--tagging-strategy", "tag-or-branch")
	docker("publish", "--image", "web=oci:build/backend", "--tagging-strategy", "tag-or-branch")
	outputs, err := os.ReadFile(filepath.Join(files, "set_output"))
	if err != nil {
		t.Fatal(err)
	}
	ref := registry + "/app/web:feature-x"
	if !strings.Contains(string(outputs), ref) || !strings.Contains(string(outputs), "digests<<") {
		t.Errorf("the step outputs lack %s and the digests:\n%s", ref, outputs)
	}
	if summary, _ := os.ReadFile(filepath.Join(files, "step_summary")); !strings.Contains(string(summary), "shiptag publish") {
		t.Errorf("step summary:\n%s", summary)
	}
	tag, _ := name.NewTag(ref, name.Insecure)
	if _, err := remote.Head(tag); err != nil {
		t.Errorf("%s is not in the registry: %v", ref, err)
	}
	plan := docker("cleanup", "--image", "web", "--dry-run")
	if !strings.Contains(plan, ref) || !strings.Contains(plan, "keep") {
		t.Errorf("cleanup --dry-run on a workspace owned by uid 1001 (the branch exists):\n%s", plan)
	}
}
