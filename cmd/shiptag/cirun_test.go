package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// requireTool finds an external tool by the variable .ci/run sets, else on
// PATH. Without it the test skips, saying why; in CI it fails instead.
func requireTool(t *testing.T, variable, name, install string) string {
	t.Helper()
	if p := os.Getenv(variable); variable != "" && p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (%s); CI must run this test", name, install)
	}
	t.Skipf("%s is not installed (%s; .ci/run does)", name, install)
	return ""
}

// gitRepo makes a git repository in dir holding files and the seed's
// images as OCI layouts under build/, on branch.
func gitRepo(t *testing.T, dir, branch string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	backend, frontend, err := sample.Seed(20_000)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]source.Artifact{"backend": {Image: backend}, "frontend": {Image: frontend}} {
		if err := sample.WriteLayout(filepath.Join(dir, "build", name), img); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", branch}, {"add", "-A"}, {"commit", "-q", "-m", "images"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// actWorld is what an act scenario needs: act, the engine with the action's
// image loaded under the name action.yml gives, a job container image, the
// TLS registry, and the files of the repository act runs in (the workflow,
// action.yml, the registry's CA).
type actWorld struct {
	act, runner, src string
	e                *engine
	reg              *registrytest.Server
	files            map[string]string
	flags            []string // more of act's flags
	copyRepo         bool     // each job works on a copy of the repository, not on it (act's --bind)
}

// newActWorld sets up an act scenario for the workflow at workflow (a path
// in this checkout, or none), committed as .github/workflows/ of its
// repositories.
func newActWorld(t *testing.T, workflow string) *actWorld {
	t.Helper()
	w := &actWorld{act: requireTool(t, "SHIPTAG_ACT", "act", "go install github.com/nektos/act@v0.2.89")}
	archive, e := requireImage(t)
	if why := registrytest.Missing(); why != "" {
		requireTool(t, "", "docker-registry", why)
	}
	loader, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(loader.Close)
	e.load(archive, loader.Host+"/shiptag", "act", "ghcr.io/shiptag/shiptag:"+releaseVersion)
	w.e, w.runner, w.reg = e, e.runnerImage(), realRegistry(t)
	w.src, _ = filepath.Abs("../..")
	w.files = map[string]string{}
	files := map[string]string{"action.yml": filepath.Join(w.src, "action.yml"), "registry-ca.pem": w.reg.CAFile}
	if workflow != "" {
		files[".github/workflows/"+filepath.Base(workflow)] = filepath.Join(w.src, workflow)
	}
	for name, from := range files {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		w.files[name] = string(data)
	}
	return w
}

// run makes a repository on branch rework-cache and runs act's event in it
// (eventFile, if any, under testdata/act), in a job container on the host's
// network; it returns the repository and act's log.
func (w *actWorld) run(t *testing.T, event, eventFile string) (string, string) {
	t.Helper()
	repo := t.TempDir()
	gitRepo(t, repo, "rework-cache", w.files)
	args := []string{event, "-P", "ubuntu-latest=" + w.runner, "--pull=false", "--network", "host", "--bind=" + strconv.FormatBool(!w.copyRepo),
		"--var", "REGISTRY=" + w.reg.Host, "--var", "REGISTRY_USER=" + w.reg.User, "--secret", "REGISTRY_PASSWORD=" + w.reg.Password}
	if eventFile != "" {
		args = append(args, "-e", filepath.Join(w.src, "testdata/act", eventFile))
	}
	args = append(args, w.flags...)
	cmd := exec.Command(w.act, args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+w.e.host)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("act %v: %v\n%s", args, err, out)
	}
	return repo, string(out)
}

// TestActWorkflows runs testdata/act/repo's workflow under act, in a job
// container of the real engine: a branch push, a tag push and a pull request
// from event files. shiptag runs as this checkout's Docker container action
// (uses: ./ with the image scripts/build-image made), publishes to the TLS
// registry with its login, and a later step reads the step outputs.
func TestActWorkflows(t *testing.T) {
	w := newActWorld(t, "testdata/act/repo/.github/workflows/images.yml")
	for _, tc := range []struct{ name, event, eventFile, tag string }{
		{"branch push", "push", "", "rework-cache"},
		{"tag push", "push", "tag-push.json", "v2-3-1-5cb8b0a4"},
		{"pull request", "pull_request", "pull-request.json", "feature-using-cache-81644ed0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, log := w.run(t, tc.event, tc.eventFile)
			checkActResults(t, repo, w.reg.Host, tc.tag, log)
		})
	}
}

// TestActDropIn runs testdata/act/dropin's workflow under act: one written
// for docker/metadata-action and docker/build-push-action, shiptag in place
// of both under the same step ids, every output its later step reads.
func TestActDropIn(t *testing.T) {
	w := newActWorld(t, "testdata/act/dropin/.github/workflows/dropin.yml")
	repo, out := w.run(t, "push", "")
	reg := w.reg
	sha := runGit(t, repo, "rev-parse", "--short=7", "HEAD")
	read := func(name string) []string { return readLines(t, filepath.Join(repo, "results", name)) }
	image := reg.Host + "/act/dropin"
	tags := []string{image + ":rework-cache", image + ":sha-" + sha}
	for name, want := range map[string][]string{"meta-tags.txt": tags, "build-tags.txt": tags, "env-tags.txt": tags,
		"meta-tag-names.txt": {"rework-cache", "sha-" + sha}, "meta-version.txt": {"rework-cache"}} {
		if diff := cmp.Diff(want, read(name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s\nact's log:\n%s", name, diff, out)
		}
	}
	digest := strings.Join(read("build-digest.txt"), "")
	ref, _ := name.NewTag(tags[0])
	client, err := reg.Client()
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref, remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Password}))
	if err != nil || desc.Digest.String() != digest {
		t.Fatalf("digest output %q, the registry has %v (%v)", digest, desc, err)
	}
	// build-push-action puts metadata-action's annotations on the manifest.
	if m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest)); err != nil || m.Annotations["org.opencontainers.image.version"] != "rework-cache" {
		t.Errorf("pushed manifest annotations %v (%v), want metadata-action's", m, err)
	}
	if anns := read("meta-annotations.txt"); !slices.Contains(anns, "manifest:org.opencontainers.image.version=rework-cache") {
		t.Errorf("annotations %q", anns)
	}
	// The login an earlier step wrote into the workspace was the action's.
	after, _ := name.NewTag(reg.Host + "/act/after-login:v1")
	if desc, err := remote.Head(after, remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Password})); err != nil ||
		desc.Digest.String() != strings.Join(read("after-login-digest.txt"), "") {
		t.Errorf("publish with the earlier step's login: %v, %v\nact's log:\n%s", desc, err, out)
	}
	if id := strings.Join(read("build-imageid.txt"), ""); !strings.HasPrefix(id, "sha256:") || id == digest {
		t.Errorf("imageid %q: want the config digest", id)
	}
	if metadata := strings.Join(read("build-metadata.txt"), ""); !strings.Contains(metadata, `"containerimage.digest":"`+digest+`"`) {
		t.Errorf("metadata %s", metadata)
	}
	if labels := read("meta-labels.txt"); !slices.Contains(labels, "org.opencontainers.image.version=rework-cache") {
		t.Errorf("labels %q", labels)
	}
	if json := strings.Join(read("meta-json.txt"), ""); !strings.Contains(json, `"tag-names":["rework-cache","sha-`+sha+`"]`) {
		t.Errorf("json %s", json)
	}
}

// checkActResults checks what the later step read of the step outputs,
// and the step summary in act's log.
func checkActResults(t *testing.T, repo, host, tag, log string) {
	t.Helper()
	results := filepath.Join(repo, "results")
	want := []string{host + "/act/system/backend:" + tag, host + "/act/system/frontend:" + tag}
	if diff := cmp.Diff(want, readLines(t, filepath.Join(results, "refs.txt"))); diff != "" {
		t.Errorf("refs read by the later step (-want +got):\n%s\nact's log:\n%s", diff, log)
	}
	// tags are full references, as metadata-action's; tag-names the tags.
	if diff := cmp.Diff(want, readLines(t, filepath.Join(results, "tags.txt"))); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{tag}, readLines(t, filepath.Join(results, "tag-names.txt"))); diff != "" {
		t.Errorf("tag-names (-want +got):\n%s", diff)
	}
	digests := readLines(t, filepath.Join(results, "digests.txt"))
	if len(digests) != 2 || !strings.HasPrefix(digests[0], "sha256:") {
		t.Errorf("digests read by the later step: %q", digests)
	}
	// build-push-action's digest and metadata: the first image's.
	if digest := readLines(t, filepath.Join(results, "digest.txt")); len(digests) == 2 && !cmp.Equal(digest, digests[:1]) {
		t.Errorf("digest %q, want the first reference's, %s", digest, digests[0])
	}
	if metadata := strings.Join(readLines(t, filepath.Join(results, "metadata.txt")), ""); !strings.Contains(metadata, `"containerimage.digest":"sha256:`) {
		t.Errorf("metadata read by the later step: %s", metadata)
	}
	if row := "| backend | `" + tag + "` | git-"; !strings.Contains(log, row) {
		t.Errorf("act's log shows no step summary row %q:\n%s", row, log)
	}
	if !strings.Contains(log, "docker run image=ghcr.io/shiptag/shiptag:"+releaseVersion) {
		t.Errorf("act did not run the action's image:\n%s", log)
	}
}
