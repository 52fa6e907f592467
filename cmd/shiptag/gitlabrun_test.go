package main

// GitLab pipelines, run for real under gitlab-ci-local as the component
// and the README's recipes use them.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/sample"
)

// gitlabScenario is one pipeline of spec §3 for gitlab-ci-local.
type gitlabScenario struct {
	name, branch string
	tag          string // a tag pipeline for this git tag
	inputs       string // the component's inputs, YAML, indented by six
	want         []string
}

// TestGitLabPipelines runs spec §3's examples as GitLab pipelines with
// gitlab-ci-local: a build job's artifacts hold the images, the component
// (included with `include: local:` and inputs) runs its job in the image
// scripts/build-image made, through the real engine (docker executor, empty
// entrypoint, the script run by the image's shell), and publishes to the
// TLS registry with the job's registry login; a later job reads
// SHIPTAG_REFS from the dotenv report.
func TestGitLabPipelines(t *testing.T) {
	w := newGitLabWorld(t, "gcl")
	reg := w.reg
	sys, queue := reg.Host+"/gcl/web/core/system", reg.Host+"/gcl/web/core/queue"
	both := "      images: |\n        backend=oci:build/backend\n        frontend=oci:build/frontend\n"
	for _, sc := range []gitlabScenario{
		{"1 custom tag", "main", "", both + "      tag-custom: v1.2.0\n", []string{sys + "/backend:v1.2.0", sys + "/frontend:v1.2.0"}},
		{"2 branch", "core/feature/ADD_SETTINGS", "", both + "      tagging-strategy: tag-or-branch\n",
			[]string{sys + "/backend:core-feature-add-settings-c3fd80df", sys + "/frontend:core-feature-add-settings-c3fd80df"}},
		{"3 nameless on a tag", "main", "v2.3.1", "      images: =oci:build/backend\n      repo: " + queue + "\n      tagging-strategy: tag-or-branch\n",
			[]string{queue + ":v2-3-1-5cb8b0a4"}},
		{"4 branch and custom tags", "rework-cache", "", both + "      tagging-strategy: tag-or-branch\n      tag-custom: feature-using-cache,my-test-branch\n",
			[]string{sys + "/backend:rework-cache", sys + "/frontend:rework-cache", sys + "/backend:feature-using-cache",
				sys + "/frontend:feature-using-cache", sys + "/backend:my-test-branch", sys + "/frontend:my-test-branch"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			runGitLabScenario(t, w, sc)
		})
	}
}

// gitlabWorld is what a gitlab-ci-local test needs: the tool, the engine
// with the release image loaded under the component's default name, the
// helper image, the TLS registry and the checkout's component.
type gitlabWorld struct {
	gcl, helper string
	e           *engine
	reg         *registrytest.Server
	component   string
	ca          string
}

func newGitLabWorld(t *testing.T, loadTag string) *gitlabWorld {
	t.Helper()
	gcl := requireTool(t, "SHIPTAG_GITLAB_CI_LOCAL", "gitlab-ci-local", "npm install gitlab-ci-local@4.62.0")
	requireTool(t, "", "rsync", "apt-get install rsync")
	if why := registrytest.Missing(); why != "" {
		requireTool(t, "", "docker-registry", why)
	}
	archive, e := requireImage(t)
	loader, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(loader.Close)
	e.load(archive, loader.Host+"/shiptag", loadTag, "ghcr.io/shiptag/shiptag:"+releaseVersion)
	w := &gitlabWorld{gcl: gcl, e: e, helper: e.runnerImage(), reg: realRegistry(t)}
	component, err := os.ReadFile("../../templates/publish.yml")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(w.reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	w.component, w.ca = string(component), string(ca)
	return w
}

// run runs gitlab-ci-local in repo: jobs without an image run on the host,
// the component's job in its image, on the host's network to reach the
// registry, logged in as the job's registry user; extra are more arguments.
func (w *gitlabWorld) run(t *testing.T, repo, registryImage, results string, extra ...string) []byte {
	t.Helper()
	args := append([]string{"--shell-executor-no-image", "--pull-policy", "if-not-present", "--helper-image", w.helper,
		"--network", "host", "--variable", "GITLAB_CI=true",
		"--variable", "CI_REGISTRY=" + w.reg.Host, "--variable", "CI_REGISTRY_IMAGE=" + registryImage,
		"--variable", "CI_REGISTRY_USER=" + w.reg.User, "--variable", "CI_REGISTRY_PASSWORD=" + w.reg.Password,
		"--variable", "RESULTS=" + results}, extra...)
	cmd := exec.Command(w.gcl, args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+w.e.host)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gitlab-ci-local: %v\n%s", err, out)
	}
	return out
}

func runGitLabScenario(t *testing.T, w *gitlabWorld, sc gitlabScenario) {
	repo, results := t.TempDir(), t.TempDir()
	pipeline := "include:\n  - local: templates/publish.yml\n    inputs:\n      needs: [build]\n" + sc.inputs + `
stages: [build, deploy]

variables:
  # The test registry's own CA, committed beside the pipeline.
  SSL_CERT_FILE: $CI_PROJECT_DIR/registry-ca.pem

build:
  stage: build
  script:
    - test -f build/backend/index.json
  artifacts:
    paths: [build/]

deploy:
  stage: deploy
  needs: [shiptag]
  script:
    - printf '%s\n' "$SHIPTAG_REFS" | tr , '\n' > "$RESULTS/refs.txt"
`
	gitRepo(t, repo, sc.branch, map[string]string{".gitlab-ci.yml": pipeline, "templates/publish.yml": w.component, "registry-ca.pem": w.ca})
	var tag []string
	if sc.tag != "" {
		tag = []string{"--variable", "CI_COMMIT_TAG=" + sc.tag, "--variable", "CI_COMMIT_REF_NAME=" + sc.tag, "--unset-variable", "CI_COMMIT_BRANCH"}
	}
	out := w.run(t, repo, w.reg.Host+"/gcl/web/core/system", results, tag...)
	if !strings.Contains(string(out), "ghcr.io/shiptag/shiptag:"+releaseVersion) {
		t.Errorf("the component's job did not run in the image:\n%s", out)
	}
	if diff := cmp.Diff(sc.want, readLines(t, filepath.Join(results, "refs.txt"))); diff != "" {
		t.Errorf("SHIPTAG_REFS in the downstream job (-want +got):\n%s\n%s", diff, out)
	}
	if !regexp.MustCompile(`shiptag +> .*` + regexp.QuoteMeta(sc.want[0]) + ` +sha256:`).Match(out) {
		t.Errorf("the publish job's log lacks %s with a digest:\n%s", sc.want[0], out)
	}
}

// realRegistry starts Debian's docker-registry for one test, empty, and
// stops it when the test and its subtests end. An empty registry per test
// keeps the scenarios' upload counts true under -count=N and in any order.
func realRegistry(t *testing.T) *registrytest.Server {
	t.Helper()
	script, err := filepath.Abs("../../scripts/test-registry")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registrytest.Start(script, t.TempDir())
	if err != nil {
		t.Fatalf("starting the test registry: %v", err)
	}
	t.Cleanup(reg.Stop)
	return reg
}

// TestGitLabMultiPlatform runs the README's multi-runner recipe under
// gitlab-ci-local: a parallel matrix of the component's job pushes each
// platform by digest (each job reports SHIPTAG_DIGEST_<PLATFORM>), and a
// second inclusion of the component merges them into one index, tagged.
func TestGitLabMultiPlatform(t *testing.T) {
	w := newGitLabWorld(t, "gcl-multi")
	reg := w.reg
	recipe, err := os.ReadFile("../../gitlab-ci/multi-platform.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The recipe includes the published component; here it is the checkout's.
	pipeline := strings.ReplaceAll(string(recipe), "component: $CI_SERVER_FQDN/shiptag/shiptag/publish@0.1.0", "local: templates/publish.yml") + `
variables:
  SSL_CERT_FILE: $CI_PROJECT_DIR/registry-ca.pem

check:
  stage: .post
  needs: [publish]
  script:
    - printf '%s\n' "$SHIPTAG_REFS" | tr , '\n' > "$RESULTS/refs.txt"
`
	repo, results := t.TempDir(), t.TempDir()
	for dir, img := range platformImages(t) {
		if err := sample.WriteLayout(filepath.Join(repo, "out", dir), img); err != nil {
			t.Fatal(err)
		}
	}
	gitRepo(t, repo, "main", map[string]string{".gitlab-ci.yml": pipeline, "templates/publish.yml": w.component, "registry-ca.pem": w.ca})
	image := reg.Host + "/gcl/multi"
	out := w.run(t, repo, image, results)
	if diff := cmp.Diff([]string{image + ":main"}, readLines(t, filepath.Join(results, "refs.txt"))); diff != "" {
		t.Errorf("SHIPTAG_REFS after the merge (-want +got):\n%s\n%s", diff, out)
	}
	client, err := reg.Client()
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(image + ":main")
	idx, err := remote.Index(ref, remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Password}))
	if err != nil {
		t.Fatalf("%s is no index: %v\n%s", ref, err, out)
	}
	im, _ := idx.IndexManifest()
	var platforms []string
	for _, d := range im.Manifests {
		platforms = append(platforms, d.Platform.String())
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("platforms of %s (-want +got):\n%s", ref, diff)
	}
}
