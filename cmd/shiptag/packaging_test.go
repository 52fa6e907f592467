package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/metadata"
	"github.com/shiptag/shiptag/internal/output"
)

// actionFile is the part of action.yml the runner reads.
type actionFile struct {
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string            `yaml:"using"`
		Image string            `yaml:"image"`
		Args  []string          `yaml:"args"`
		Env   map[string]string `yaml:"env"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	var a actionFile
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// component is a GitLab component file: the spec document and the jobs.
type component struct {
	Inputs map[string]componentInput
	Jobs   *yaml.Node // the second document, before interpolation
}

type componentInput struct {
	Description string    `yaml:"description"`
	Type        string    `yaml:"type"`
	Default     yaml.Node `yaml:"default"`
	Options     []string  `yaml:"options"`
	Regex       string    `yaml:"regex"`
}

func readComponent(t *testing.T, path string) component {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	spec, jobs, ok := strings.Cut(string(data), "\n---\n")
	if !ok {
		t.Fatalf("%s: no '---' between the spec header and the jobs", path)
	}
	var header struct {
		Spec struct {
			Inputs map[string]componentInput `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(spec), &header); err != nil {
		t.Fatalf("%s spec: %v", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(jobs), &doc); err != nil {
		t.Fatalf("%s jobs: %v", path, err)
	}
	return component{Inputs: header.Spec.Inputs, Jobs: &doc}
}

// Inputs of the component that are the job's own, not shiptag settings, and
// settings that are deliberately not component inputs.
var (
	componentJobInputs   = []string{"job-name", "stage", "needs", "rules", "image", "version", "command"}
	componentNotSettings = []string{"password", "dotenv-file"}
)

// TestSettingsInSync keeps the binary's settings, action.yml, the GitLab
// component and the README's table in step, defaults included.
func TestSettingsInSync(t *testing.T) {
	t.Parallel()
	action := readAction(t)
	comp := readComponent(t, "../../templates/publish.yml")
	want := map[string]bool{}
	for _, s := range config.Settings() {
		want[s.Input] = true
		in, ok := action.Inputs[s.Input]
		switch {
		case !ok:
			t.Errorf("action.yml has no input %q for %s", s.Input, s.Env)
		case deref(in.Default) != s.Default:
			t.Errorf("action.yml input %q defaults to %q; the binary's default is %q", s.Input, deref(in.Default), s.Default)
		case in.Description == "":
			t.Errorf("action.yml input %q has no description", s.Input)
		}
		if got, want := action.Runs.Env[s.Env], "${{ inputs."+s.Input+" }}"; got != want {
			t.Errorf("action.yml runs.env %s = %q, want %q", s.Env, got, want)
		}
		if slices.Contains(componentNotSettings, s.Input) {
			continue
		}
		ci, ok := comp.Inputs[s.Input]
		switch {
		case !ok:
			t.Errorf("the component has no input %q for %s", s.Input, s.Env)
		case ci.Default.Value != s.Default:
			t.Errorf("component input %q defaults to %q; the binary's default is %q", s.Input, ci.Default.Value, s.Default)
		case len(ci.Options) > 0 && !slices.Contains(ci.Options, s.Default):
			t.Errorf("component input %q: default %q is not among its options %v", s.Input, s.Default, ci.Options)
		}
	}
	for name := range action.Inputs {
		if !want[name] && name != "command" && name != "github-token" {
			t.Errorf("action.yml input %q is not a shiptag setting", name)
		}
	}
	for name := range comp.Inputs {
		if !want[name] && !slices.Contains(componentJobInputs, name) {
			t.Errorf("component input %q is not a shiptag setting", name)
		}
	}
	// A release commit pins the image by digest (release.yml); others name the tag.
	pinned := regexp.MustCompile(`^` + regexp.QuoteMeta(releaseVersion) + `(@sha256:[0-9a-f]{64})?$`)
	if got := action.Runs.Image; !strings.HasPrefix(got, "docker://ghcr.io/shiptag/shiptag:") ||
		!pinned.MatchString(strings.TrimPrefix(got, "docker://ghcr.io/shiptag/shiptag:")) {
		t.Errorf("action.yml runs the image %q; the binary's version wants docker://ghcr.io/shiptag/shiptag:%s[@DIGEST]", got, releaseVersion)
	}
	if got := comp.Inputs["version"].Default.Value; !pinned.MatchString(got) || !regexp.MustCompile(comp.Inputs["version"].Regex).MatchString(got) {
		t.Errorf("the component's default version is %q, want %s[@DIGEST], matching its regex", got, releaseVersion)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n"+config.MarkdownTable()) {
		t.Errorf("README.md's settings table is stale; replace it with:\n%s", config.MarkdownTable())
	}
	if diff := cmp.Diff(stepOutputNames(), sortedKeys(action.Outputs)); diff != "" {
		t.Errorf("action.yml outputs and the step outputs the commands write (-commands +action.yml):\n%s", diff)
	}
}

// TestComponentInputsUsed checks every $[[ inputs.x ]] of every template
// names a declared input, and every declared input is used.
func TestComponentInputsUsed(t *testing.T) {
	t.Parallel()
	paths, _ := os.ReadDir("../../templates")
	for _, p := range paths {
		path := "../../templates/" + p.Name()
		comp := readComponent(t, path)
		data, _ := os.ReadFile(path)
		_, jobs, _ := strings.Cut(string(data), "\n---\n")
		used := map[string]bool{}
		for _, m := range interpolation.FindAllStringSubmatch(jobs, -1) {
			used[m[1]] = true
			if _, ok := comp.Inputs[m[1]]; !ok {
				t.Errorf("%s uses $[[ inputs.%s ]], which it does not declare", p.Name(), m[1])
			}
		}
		for name, in := range comp.Inputs {
			if in.Regex != "" && in.Default.Kind != 0 && !regexp.MustCompile(in.Regex).MatchString(in.Default.Value) {
				t.Errorf("%s input %q: default %q does not match its regex %s", p.Name(), name, in.Default.Value, in.Regex)
			}
			if !used[name] {
				t.Errorf("%s declares input %q but never uses it", p.Name(), name)
			}
			if in.Description == "" {
				t.Errorf("%s input %q has no description", p.Name(), name)
			}
		}
	}
}

var interpolation = regexp.MustCompile(`\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]`)

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestExamplesIncludeComponent checks every `include: component:` of the
// example pipelines against the component's spec, as GitLab would at
// include time, and that they pin the current version.
func TestExamplesIncludeComponent(t *testing.T) {
	t.Parallel()
	comp := readComponent(t, "../../templates/publish.yml")
	paths, err := filepath.Glob("../../gitlab-ci/*.yml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example pipelines: %v", err)
	}
	for _, path := range paths {
		var pipeline struct {
			Include []struct {
				Component string         `yaml:"component"`
				Inputs    map[string]any `yaml:"inputs"`
			} `yaml:"include"`
		}
		data, _ := os.ReadFile(path)
		if err := yaml.Unmarshal(data, &pipeline); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(pipeline.Include) == 0 {
			t.Errorf("%s includes no component", path)
		}
		for _, inc := range pipeline.Include {
			// The CI/CD Catalog versions components by semver without the v.
			if want := "$CI_SERVER_FQDN/shiptag/shiptag/publish@" + strings.TrimPrefix(releaseVersion, "v"); inc.Component != want {
				t.Errorf("%s includes %q, want %q", path, inc.Component, want)
			}
			jobs := includeComponent(t, comp, inc.Inputs)
			if len(jobs) != 1 {
				t.Errorf("%s: the include gives %d jobs", path, len(jobs))
			}
		}
	}
}

// TestCatalogRelease: the root pipeline releases the component on the
// Catalog's tags (semver without the v), which the release workflow pushes
// beside GitHub's v-tag.
func TestCatalogRelease(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var pipeline struct {
		Release struct {
			Rules   []struct{ If string } `yaml:"rules"`
			Release struct {
				TagName string `yaml:"tag_name"`
			} `yaml:"release"`
		} `yaml:"release"`
	}
	if err := yaml.Unmarshal(data, &pipeline); err != nil {
		t.Fatal(err)
	}
	job := pipeline.Release
	if len(job.Rules) != 1 || job.Release.TagName != "$CI_COMMIT_TAG" {
		t.Fatalf("the release job: %+v", job)
	}
	cond := job.Rules[0].If
	re := regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(cond[strings.Index(cond, "/"):], "/"), "/"))
	if !re.MatchString(strings.TrimPrefix(releaseVersion, "v")) || re.MatchString(releaseVersion) || re.MatchString("main") {
		t.Errorf("the release rule %q must take %s and refuse %s and branches", cond, strings.TrimPrefix(releaseVersion, "v"), releaseVersion)
	}
	workflow, err := os.ReadFile("../../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(workflow), `git tag -f "${GITHUB_REF_NAME#v}"`) {
		t.Error("release.yml does not push the Catalog's tag")
	}
}

// stepOutputNames are the step outputs every command writes, read from
// their documents: a published run with stages, a cleanup and meta.
func stepOutputNames() []string {
	published := output.Document{Refs: []string{"r.example.com/app:v1"}, Images: []output.DocImage{{Name: "app", Digest: "sha256:1",
		Tags:   []output.DocTag{{Tag: "v1", Ref: "r.example.com/app:v1", Digest: "sha256:1"}},
		Stages: []output.DocStage{{Signature: "s", Ref: "r.example.com/app:image-stage-s"}}}}}
	seen := map[string]bool{}
	for _, o := range []output.Outputs{published.Outputs("t"), output.NewCleanupDocument(nil, nil, false).Outputs("t"),
		output.NewMetaDocument(metadata.Result{}).Outputs(output.Separators{})} {
		for _, v := range o.Step {
			seen[v.Name] = true
		}
	}
	return sortedKeys(seen)
}
