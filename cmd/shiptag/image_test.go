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
	image := e.load(archive, reg.Host+"/shiptag", "test")
	if got := e.docker("run", "--rm", image, "version"); !strings.HasPrefix(got, "shiptag v") {
		t.Errorf("docker run IMAGE version = %q", got)
	}
	gitlab := e.docker("run", "--rm", "--entrypoint", "", image, "sh", "-c", "shiptag version && git --version && touch /tmp/x && id -u")
	if !strings.Contains(gitlab, "git version 2.") || !strings.HasSuffix(gitlab, "0\n") {
		t.Errorf("GitLab's way: %q", gitlab)
	}
	t.Run("GitHub's way", func(t *testing.T) { githubContainer(t, e, image, reg.Host) })
	t.Run("docker-daemon and docker-archive sources", func(t *testing.T) { engineSources(t, e, reg.Host) })
}

// engineSources publishes an image the engine built, read from the engine
// (docker-daemon:) and from docker save's archive (docker-archive:): both
// give one digest, and the engine's image (its config) unchanged.
func engineSources(t *testing.T, e *engine, registry string) {
	built := e.runnerImage()
	archive := filepath.Join(t.TempDir(), "runner.tar")
	e.docker("save", "-o", archive, built)
	environ := []string{"DOCKER_HOST=" + e.host}
	for source, tag := range map[string]string{"docker-daemon:" + built: "daemon", "docker-archive:" + archive: "archive"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"publish", "--repo", registry + "/engine", "--image", "=" + source,
			"--tag-custom", tag, "--platform", "local", "--meta-labels", "none"}, environ, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("publish --image =%s: exit %d\n%s", source, code, stderr.String())
		}
	}
	id := strings.TrimSpace(e.docker("image", "inspect", "-f", "{{.Id}}", built))
	digests := map[string]bool{}
	for _, tag := range []string{"daemon", "archive"} {
		ref, _ := name.NewTag(registry+"/engine:"+tag, name.Insecure)
		img, err := remote.Image(ref)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests[d.String()] = true
		if config, _ := img.ConfigName(); config.String() != id {
			t.Errorf("%s: config %s, but the engine's image is %s", ref, config, id)
		}
	}
	if len(digests) != 1 {
		t.Errorf("the engine's image and its archive give %d digests, want one: %v", len(digests), digests)
	}
}

// load publishes the image archive with shiptag as repository:tag, in an
// in-process registry on loopback (from which the engine takes plain HTTP),
// pulls it into the engine, tags it with the extra names, and returns it.
func (e *engine) load(archive, repository, tag string, names ...string) string {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"publish", "--repo", repository, "--image", "=oci-archive:" + archive,
		"--tag-custom", tag, "--meta-labels", "none", "--platform", "local"}, nil, nil, &stdout, &stderr); code != 0 {
		e.t.Fatalf("publishing the image: exit %d\n%s", code, stderr.String())
	}
	ref := repository + ":" + tag
	e.docker("pull", "-q", ref)
	e.t.Cleanup(func() { e.docker("rmi", "-f", ref) })
	for _, n := range names {
		e.docker("tag", ref, n)
		e.t.Cleanup(func() { e.docker("rmi", "-f", n) })
	}
	return ref
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

// runnerImage builds the job container act runs steps in (and the helper
// gitlab-ci-local moves artifacts with) from the host's static bash and
// busybox and its rsync with the libraries it loads: no image can be pulled
// here. The Docker container action runs beside it with its mounts, as on
// GitHub. Each of programs (node, for JavaScript actions) joins it with its
// libraries, in an image of its own name.
func (e *engine) runnerImage(programs ...string) string {
	e.t.Helper()
	name := "shiptag-act-runner:test"
	if len(programs) > 0 {
		name = "shiptag-act-runner:" + strings.Join(programs, "-")
	}
	root := filepath.Join(e.t.TempDir(), "root")
	files := map[string]string{"/bin/busybox": "bin/busybox", "/bin/bash-static": "bin/bash"}
	for _, program := range append([]string{"rsync"}, programs...) {
		path, err := exec.LookPath(program)
		if err != nil {
			e.t.Fatalf("%s: %v (.ci/run installs it)", program, err)
		}
		files[path] = "usr/bin/" + program
		out, err := exec.Command("ldd", path).Output()
		if err != nil {
			e.t.Fatalf("ldd %s: %v", path, err)
		}
		for _, field := range strings.Fields(string(out)) {
			if strings.HasPrefix(field, "/") {
				files[field] = strings.TrimPrefix(field, "/")
			}
		}
	}
	for from, to := range files {
		data, err := os.ReadFile(from)
		if err != nil {
			e.t.Fatalf("%v: .ci/run installs busybox-static, bash-static and rsync", err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, to)), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, to), data, 0o755); err != nil {
			e.t.Fatal(err)
		}
	}
	dockerfile := "FROM scratch\nCOPY root/ /\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n" +
		"ENV PATH=/usr/local/bin:/usr/bin:/bin\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(root), "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.docker("build", "-q", "-t", name, filepath.Dir(root))
	return name
}
