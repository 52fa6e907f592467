package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/cleanup"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/output"
)

func doc(images, tags int) output.Document {
	var d output.Document
	for i := 0; i < images; i++ {
		img := output.DocImage{Name: fmt.Sprintf("image-%02d", i), Repository: fmt.Sprintf("registry.example.com/team/image-%02d", i)}
		for j := 0; j < tags; j++ {
			ref := fmt.Sprintf("%s:tag-%02d", img.Repository, j)
			img.Tags = append(img.Tags, output.DocTag{Tag: fmt.Sprintf("tag-%02d", j), Strategy: "custom", Ref: ref})
			d.Refs = append(d.Refs, ref)
		}
		d.Images = append(d.Images, img)
	}
	return d
}

// open opens the named platform over env, logging to the returned buffer.
func open(t *testing.T, name ci.Platform, env map[string]string, dotenv string) (Platform, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	p, err := Open(context.Background(), Options{Name: name, Getenv: func(k string) string { return env[k] }, Log: &log, DotenvFile: dotenv})
	if err != nil {
		t.Fatal(err)
	}
	return p, &log
}

func TestGitLabReportFits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p, log := open(t, ci.GitLab, map[string]string{"CI_PROJECT_DIR": dir}, "")
	if err := p.WriteOutputs(doc(2, 2).Outputs("t")); err != nil || log.Len() != 0 {
		t.Fatalf("WriteOutputs: %v; log %q", err, log)
	}
	if data, err := os.ReadFile(filepath.Join(dir, JSONFileName)); err != nil || !strings.HasPrefix(string(data), `{"images":`) {
		t.Errorf("GitLab's shiptag.json, which the component declares an artifact: %v %.40s", err, data)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	want := "SHIPTAG_REFS=registry.example.com/team/image-00:tag-00,registry.example.com/team/image-00:tag-01," +
		"registry.example.com/team/image-01:tag-00,registry.example.com/team/image-01:tag-01\n" +
		"SHIPTAG_TAGS=registry.example.com/team/image-00:tag-00,registry.example.com/team/image-00:tag-01," +
		"registry.example.com/team/image-01:tag-00,registry.example.com/team/image-01:tag-01\nSHIPTAG_TAG_NAMES=tag-00,tag-01\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("dotenv mismatch (-want +got):\n%s", diff)
	}
}

func TestReportOverflow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := doc(12, 12) // 144 refs of ~46 bytes: over 5 KB
	p, log := open(t, ci.GitLab, map[string]string{"CI_PROJECT_DIR": dir}, "")
	if err := p.WriteOutputs(d.Outputs("t")); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, JSONFileName)
	if note := log.String(); !strings.Contains(note, jsonPath) || !strings.Contains(note, "SHIPTAG_JSON_FILE") {
		t.Errorf("note %q does not point at %s", note, jsonPath)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if diff := cmp.Diff("SHIPTAG_JSON_FILE="+jsonPath+"\n", string(env)); diff != "" {
		t.Errorf("dotenv mismatch (-want +got):\n%s", diff)
	}
	var back output.Document
	data, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("JSON file mismatch (-want +got):\n%s", diff)
	}
}

// TestCleanupReportOverflow: a deletion list past GitLab's dotenv limit
// goes to shiptag.json, and the report points at it.
func TestCleanupReportOverflow(t *testing.T) {
	t.Parallel()
	var decisions []cleanup.Decision
	for i := range 100 {
		ref := fmt.Sprintf("registry.example.com/team/app:%040d", i)
		decisions = append(decisions, cleanup.Decision{Item: cleanup.Item{Ref: ref}, Delete: true, Deleted: true})
	}
	dir := t.TempDir()
	p, log := open(t, ci.Local, nil, filepath.Join(dir, "shiptag.env"))
	if err := p.WriteOutputs(output.NewCleanupDocument(decisions, nil, false).Outputs("t")); err != nil {
		t.Fatal(err)
	}
	report, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if want := "SHIPTAG_JSON_FILE=" + filepath.Join(dir, JSONFileName) + "\n"; string(report) != want || !strings.Contains(log.String(), "dotenv limit") {
		t.Errorf("report %q, note %q", report, log)
	}
	data, _ := os.ReadFile(filepath.Join(dir, JSONFileName))
	if strings.Count(string(data), `"action":"deleted"`) != 100 {
		t.Errorf("shiptag.json does not hold the 100 deletions: %.200s", data)
	}
}

func TestReportUnwritable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "shiptag.env")
	p, _ := open(t, ci.GitHub, map[string]string{}, path)
	for what, err := range map[string]error{"check": p.CheckOutputs(), "write": p.WriteOutputs(doc(1, 1).Outputs("t"))} {
		var ie *inputs.Error
		if !errors.As(err, &ie) || ie.Input != "--dotenv-file (SHIPTAG_DOTENV_FILE)" || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error = %v, want an input error on --dotenv-file quoting %s", what, err, path)
		}
	}
}

func TestGitHubOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, sum := filepath.Join(dir, "out"), filepath.Join(dir, "summary")
	p, log := open(t, ci.GitHub, map[string]string{"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum}, "")
	if err := p.CheckOutputs(); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteOutputs(doc(1, 2).Outputs("shiptag plan")); err != nil || log.Len() != 0 {
		t.Fatalf("WriteOutputs: %v; log %q", err, log)
	}
	got, _ := os.ReadFile(out)
	for _, want := range []string{"tags<<", "tag-00\ntag-01\n", "refs<<", "json<<", `{"images":[{"name":"image-00"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, got)
		}
	}
	s, _ := os.ReadFile(sum)
	if !strings.HasPrefix(string(s), "### shiptag plan\n\n| Image | Tag | Strategy | Reference |\n") {
		t.Errorf("summary starts wrong:\n%s", s)
	}
}

func TestGitHubFiles(t *testing.T) {
	t.Parallel()
	p, log := open(t, ci.GitHub, map[string]string{}, "")
	if err := p.WriteOutputs(doc(1, 1).Outputs("t")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if !strings.Contains(log.String(), "shiptag: "+key+" is not set: that GitHub output is not written\n") {
			t.Errorf("the log does not say %s is unset: %q", key, log)
		}
	}
	bad := filepath.Join(t.TempDir(), "no", "such", "file")
	p, _ = open(t, ci.GitHub, map[string]string{"GITHUB_STEP_SUMMARY": bad}, "")
	for what, err := range map[string]error{"check": p.CheckOutputs(), "write": p.WriteOutputs(doc(1, 1).Outputs("t"))} {
		var ie *inputs.Error
		if !errors.As(err, &ie) || ie.Input != "GITHUB_STEP_SUMMARY" || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s, unwritable summary: error = %v", what, err)
		}
	}
}

// TestLogCommands: each platform's masks, groups and annotations, as its
// log shows them.
func TestLogCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name ci.Platform
		want []string // substrings of the log, in order; nil: an empty log
	}{
		{ci.GitHub, []string{"::add-mask::s3cret\n", "::group::publishing\n", "::endgroup::\n", "::warning::careful\n", "::error::failed%0Ahere\n"}},
		{ci.GitLab, []string{"section_start:", ":shiptag[collapsed=true]\r\x1b[0Kpublishing\n", "section_end:", ":shiptag\r\x1b[0K\n"}},
		{ci.Local, nil},
	}
	for _, tc := range tests {
		t.Run(string(tc.name), func(t *testing.T) {
			t.Parallel()
			p, log := open(t, tc.name, map[string]string{}, "")
			p.Mask("s3cret")
			p.Mask("")
			p.Group("publishing")()
			p.Annotate(Warning, "careful")
			p.Annotate(Error, "failed\nhere")
			rest := log.String()
			if tc.want == nil && rest != "" {
				t.Errorf("log = %q, want nothing", rest)
			}
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("log lacks %q (in order) in %q", w, log)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestTraits: what each platform says of its checkout and its log.
func TestTraits(t *testing.T) {
	t.Parallel()
	for name, want := range map[ci.Platform][2]any{ci.GitHub: {"", false}, ci.GitLab: {"a GitLab job", false}, ci.Local: {"", true}} {
		p, _ := open(t, name, map[string]string{}, "")
		if got := [2]any{p.PartialCheckout(), p.Interactive()}; got != want {
			t.Errorf("%s: PartialCheckout, Interactive = %v, want %v", name, got, want)
		}
		if p.Facts().Platform != name {
			t.Errorf("%s: facts of %q", name, p.Facts().Platform)
		}
	}
}

// TestGitHubEnv: outputs that name an EnvPrefix are the later steps'
// variables too (metadata-action's DOCKER_METADATA_OUTPUT_*).
func TestGitHubEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	p, log := open(t, ci.GitHub, map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_ENV": envFile}, "")
	o := output.Outputs{Step: []output.Output{{Name: "tag-names", Value: "v1\nv2"}}, EnvPrefix: "DOCKER_METADATA_OUTPUT_"}
	if err := p.WriteOutputs(o); err != nil || log.Len() != 0 {
		t.Fatalf("WriteOutputs: %v; log %q", err, log)
	}
	got, _ := os.ReadFile(envFile)
	if !strings.Contains(string(got), "DOCKER_METADATA_OUTPUT_TAG_NAMES<<") || !strings.Contains(string(got), "v1\nv2\n") {
		t.Errorf("GITHUB_ENV:\n%s", got)
	}
	p, log = open(t, ci.GitHub, map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out")}, "")
	if err := p.WriteOutputs(o); err != nil || !strings.Contains(log.String(), "GITHUB_ENV is not set") {
		t.Errorf("without GITHUB_ENV: %v; log %q", err, log)
	}
}

// TestReportTooManyVariables: GitLab takes at most 20 variables from a
// dotenv report, so a run of many images puts its lists in shiptag.json.
func TestReportTooManyVariables(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := doc(20, 1)
	for i := range d.Images {
		d.Images[i].Tags[0].Digest = "sha256:" + strings.Repeat("a", 64)
		d.Images[i].Digest = d.Images[i].Tags[0].Digest
	}
	p, log := open(t, ci.GitLab, map[string]string{"CI_PROJECT_DIR": dir}, "")
	if err := p.WriteOutputs(d.Outputs("t")); err != nil {
		t.Fatal(err)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if !strings.HasPrefix(string(env), "SHIPTAG_JSON_FILE=") || !strings.Contains(log.String(), "20-variable dotenv limit") {
		t.Errorf("report %q, log %q", env, log)
	}
}
