package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// contractFixture is an in-process registry and the seed's images as OCI
// layouts, for running the Action and the component as their hosts would.
func contractFixture(t *testing.T) (registryHost, layouts string) {
	t.Helper()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	layouts = t.TempDir()
	backend, frontend, err := sample.Seed(10_000)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]source.Artifact{"backend": {Image: backend}, "frontend": {Image: frontend}} {
		if err := sample.WriteLayout(filepath.Join(layouts, name), img); err != nil {
			t.Fatal(err)
		}
	}
	return reg.Host, layouts
}

var githubExpression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// evalGitHub evaluates the ${{ … }} expressions an action.yml may hold.
func evalGitHub(t *testing.T, s string, inputs map[string]string, token string) string {
	t.Helper()
	return githubExpression.ReplaceAllStringFunc(s, func(m string) string {
		expr := githubExpression.FindStringSubmatch(m)[1]
		switch {
		case expr == "github.token":
			return token
		case strings.HasPrefix(expr, "inputs."):
			return inputs[strings.TrimPrefix(expr, "inputs.")]
		}
		t.Fatalf("action.yml uses an expression this test cannot evaluate: %s", m)
		return ""
	})
}

// TestActionContract runs the binary as GitHub runs the Docker action: the
// inputs with their defaults, INPUT_* variables, runs.env and runs.args
// evaluated, and the file-command paths in the environment. No Docker
// engine is needed: the image's entrypoint is this binary.
func TestActionContract(t *testing.T) {
	t.Parallel()
	host, layouts := contractFixture(t)
	action := readAction(t)
	given := map[string]string{
		"repo":             host + "/acme/app",
		"images":           "backend=oci:" + filepath.Join(layouts, "backend") + "\nfrontend=oci:" + filepath.Join(layouts, "frontend"),
		"tagging-strategy": "tag-or-branch",
		"tag-custom":       "latest",
	}
	const token = "ghs_contract_token"
	inputs := map[string]string{}
	for name, in := range action.Inputs {
		inputs[name] = evalGitHub(t, deref(in.Default), nil, token)
		if v, ok := given[name]; ok {
			inputs[name] = v
		}
	}
	dir := t.TempDir()
	env := []string{"GITHUB_ACTIONS=true", "GITHUB_REF=refs/heads/main", "GITHUB_REF_NAME=main", "GITHUB_REF_TYPE=branch",
		"GITHUB_REPOSITORY=Acme/App", "GITHUB_SHA=0123456789abcdef0123456789abcdef01234567", "GITHUB_ACTOR=octocat",
		"GITHUB_SERVER_URL=https://github.com", "GITHUB_WORKSPACE=" + dir, "HOME=" + dir,
		"GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary")}
	for name, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(name)+"="+v)
	}
	for k, v := range action.Runs.Env {
		env = append(env, k+"="+evalGitHub(t, v, inputs, token))
	}
	var args []string
	for _, a := range action.Runs.Args {
		args = append(args, evalGitHub(t, a, inputs, token))
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, env, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("the action exited %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "::add-mask::"+token) {
		t.Errorf("the token was not masked; stderr:\n%s", stderr.String())
	}
	outputs := parseGitHubOutputs(t, filepath.Join(dir, "output"))
	if diff := cmp.Diff([]string{"digest", "digests", "imageid", "json", "metadata", "refs", "tag-names", "tags"}, sortedKeys(outputs)); diff != "" {
		t.Errorf("outputs written (-want +got):\n%s", diff)
	}
	wantRefs := host + "/acme/app/backend:main\n" + host + "/acme/app/frontend:main\n" + host + "/acme/app/backend:latest\n" + host + "/acme/app/frontend:latest"
	if diff := cmp.Diff(wantRefs, outputs["refs"]); diff != "" {
		t.Errorf("refs output (-want +got):\n%s", diff)
	}
	// tags are full references, as metadata-action's; tag-names the tags.
	if diff := cmp.Diff(wantRefs, outputs["tags"]); diff != "" {
		t.Errorf("tags output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("main\nlatest", outputs["tag-names"]); diff != "" {
		t.Errorf("tag-names output (-want +got):\n%s", diff)
	}
	if first := strings.SplitN(outputs["digests"], "\n", 2)[0]; outputs["digest"] != first || !strings.HasPrefix(outputs["imageid"], "sha256:") ||
		!strings.Contains(outputs["metadata"], `"containerimage.digest":"`+first+`"`) {
		t.Errorf("digest %q, imageid %q, metadata %q: want the first reference's (%s)", outputs["digest"], outputs["imageid"], outputs["metadata"], first)
	}
	if n := len(regexp.MustCompile(`(?m)^sha256:[0-9a-f]{64}$`).FindAllString(outputs["digests"], -1)); n != 4 {
		t.Errorf("digests output has %d digests, want 4:\n%s", n, outputs["digests"])
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "summary"))
	if !strings.Contains(string(summary), "| backend | `main` | git-branch | `"+host+"/acme/app/backend:main` |") {
		t.Errorf("step summary lacks the backend row:\n%s", summary)
	}
}

// parseGitHubOutputs reads a GITHUB_OUTPUT file of name<<DELIMITER blocks.
func parseGitHubOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

// gitlabJob is the part of a job the contract test runs.
type gitlabJob struct {
	Stage string `yaml:"stage"`
	Image struct {
		Name       string   `yaml:"name"`
		Entrypoint []string `yaml:"entrypoint"`
	} `yaml:"image"`
	Needs     []string          `yaml:"needs"`
	Rules     []map[string]any  `yaml:"rules"`
	Variables map[string]string `yaml:"variables"`
	Script    []string          `yaml:"script"`
	Artifacts struct {
		Paths   []string `yaml:"paths"`
		Reports struct {
			Dotenv string `yaml:"dotenv"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

// TestComponentContract includes the component as GitLab does (inputs over
// defaults, $[[ inputs.x ]] interpolated in the parsed jobs), then runs the
// job's script with GitLab's predefined variables and reads the dotenv
// report it declares.
func TestComponentContract(t *testing.T) {
	t.Parallel()
	host, layouts := contractFixture(t)
	comp := readComponent(t, "../../templates/publish.yml")
	given := map[string]any{
		"needs":            []string{"build-backend", "build-frontend"},
		"images":           "backend=oci:" + filepath.Join(layouts, "backend") + "\nfrontend=oci:" + filepath.Join(layouts, "frontend"),
		"tagging-strategy": "tag-or-branch",
		"tag-custom":       "feature-using-cache,my-test-branch",
	}
	jobs := includeComponent(t, comp, given)
	if len(jobs) != 1 {
		t.Fatalf("the component defines %d jobs, want 1", len(jobs))
	}
	job, ok := jobs["shiptag"]
	if !ok {
		t.Fatalf("no job named by the job-name default: %v", sortedKeys(jobs))
	}
	if job.Image.Name != "ghcr.io/shiptag/shiptag:"+releaseVersion || !cmp.Equal(job.Image.Entrypoint, []string{""}) {
		t.Errorf("job image %q with entrypoint %q", job.Image.Name, job.Image.Entrypoint)
	}
	if !cmp.Equal(job.Needs, []string{"build-backend", "build-frontend"}) || job.Stage != "build" {
		t.Errorf("needs %v, stage %q", job.Needs, job.Stage)
	}
	dir := t.TempDir()
	env := map[string]string{"GITLAB_CI": "true", "CI_PROJECT_DIR": dir, "CI_COMMIT_REF_NAME": "rework-cache",
		"CI_COMMIT_BRANCH": "rework-cache", "CI_COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
		"CI_REGISTRY": host, "CI_REGISTRY_IMAGE": host + "/web/core/system", "CI_JOB_TOKEN": "job-token",
		"CI_PROJECT_URL": "https://gitlab.example.com/web/core/system"}
	for k, v := range job.Variables {
		env[k] = os.Expand(v, func(name string) string { return env[name] })
	}
	// The job's script starts in CI_PROJECT_DIR; this process does not.
	if p := env["SHIPTAG_DOTENV_FILE"]; p != "" && !filepath.IsAbs(p) {
		env["SHIPTAG_DOTENV_FILE"] = filepath.Join(dir, p)
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	for _, line := range job.Script {
		words := strings.Fields(line)
		if len(words) == 0 || words[0] != "shiptag" {
			t.Fatalf("script line %q does not run shiptag", line)
		}
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), words[1:], environ, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("%q exited %d:\n%s", line, code, stderr.String())
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, job.Artifacts.Reports.Dotenv))
	if err != nil {
		t.Fatalf("the dotenv report the job declares: %v", err)
	}
	sys := host + "/web/core/system"
	refs := fmt.Sprintf("%[1]s/backend:rework-cache,%[1]s/frontend:rework-cache,%[1]s/backend:feature-using-cache,"+
		"%[1]s/frontend:feature-using-cache,%[1]s/backend:my-test-branch,%[1]s/frontend:my-test-branch", sys)
	// SHIPTAG_TAGS are full references, as the GitHub output tags.
	want := "SHIPTAG_REFS=" + refs + "\nSHIPTAG_TAGS=" + refs + "\nSHIPTAG_TAG_NAMES=rework-cache,feature-using-cache,my-test-branch\n"
	if !strings.HasPrefix(string(report), want) || !regexp.MustCompile(`(?m)^SHIPTAG_DIGESTS=sha256:[0-9a-f]{64}(,sha256:[0-9a-f]{64}){5}$`).Match(report) {
		t.Errorf("dotenv report:\n%s\nwant it to start with:\n%s", report, want)
	}
}

// includeComponent does what `include: component:` does with inputs: check
// them against the spec, fill in defaults, and interpolate the jobs.
func includeComponent(t *testing.T, comp component, given map[string]any) map[string]gitlabJob {
	t.Helper()
	values := map[string]*yaml.Node{}
	for name, in := range comp.Inputs {
		v, ok := given[name]
		switch {
		case ok:
			var n yaml.Node
			if err := n.Encode(v); err != nil {
				t.Fatal(err)
			}
			values[name] = &n
		case in.Default.Kind != 0:
			d := in.Default
			values[name] = &d
		default:
			t.Fatalf("input %q has no default and was not given: GitLab would refuse the include", name)
		}
		if len(in.Options) > 0 && !slices.Contains(in.Options, values[name].Value) {
			t.Fatalf("input %q = %q is not among its options %v", name, values[name].Value, in.Options)
		}
		if in.Regex != "" && !regexp.MustCompile(in.Regex).MatchString(values[name].Value) {
			t.Fatalf("input %q = %q does not match its regex %s", name, values[name].Value, in.Regex)
		}
	}
	for name := range given {
		if _, ok := comp.Inputs[name]; !ok {
			t.Fatalf("input %q is not declared: GitLab would refuse the include", name)
		}
	}
	jobs := *comp.Jobs
	interpolate(t, &jobs, values)
	out := map[string]gitlabJob{}
	if err := jobs.Decode(&out); err != nil {
		t.Fatalf("the interpolated jobs do not decode: %v", err)
	}
	return out
}

// interpolate replaces $[[ inputs.x ]] in every scalar, keys included; a
// scalar that is only the reference takes the input's value whole (arrays).
func interpolate(t *testing.T, n *yaml.Node, values map[string]*yaml.Node) {
	t.Helper()
	if n.Kind == yaml.ScalarNode {
		if m := interpolation.FindStringSubmatch(n.Value); m != nil && m[0] == strings.TrimSpace(n.Value) {
			*n = *values[m[1]]
			return
		}
		n.Value = interpolation.ReplaceAllStringFunc(n.Value, func(ref string) string {
			v := values[interpolation.FindStringSubmatch(ref)[1]]
			if v.Kind != yaml.ScalarNode {
				t.Fatalf("%s is not text but is used inside text", ref)
			}
			return v.Value
		})
		return
	}
	for _, c := range n.Content {
		interpolate(t, c, values)
	}
}
