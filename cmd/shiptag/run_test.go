package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// runArgs runs one command line with env and returns code, stdout, stderr.
func runArgs(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, env, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		env  []string
		args []string
		code int
	}{
		{"plan", nil, []string{"plan", "--repo", "r.example.com/a", "--tag-custom", "x"}, exitOK},
		{"help", nil, []string{"help"}, exitOK},
		{"command help", nil, []string{"plan", "--help"}, exitOK},
		{"version", nil, []string{"version"}, exitOK},
		{"no command", nil, nil, exitUsage},
		{"unknown command", nil, []string{"push"}, exitUsage},
		{"unknown flag", nil, []string{"plan", "--nope"}, exitUsage},
		{"invalid custom tag", nil, []string{"plan", "--repo", "r.example.com/a", "--tag-custom", "a b"}, exitUsage},
		{"an image given twice", nil, []string{"plan", "--repo", "r.example.com/a", "--image", "app=a", "--image", "app", "--tag-custom", "x"}, exitUsage},
		{"unknown repo mode", nil, []string{"plan", "--repo", "r.example.com/a", "--repo-mode", "x", "--tag-custom", "x"}, exitUsage},
		{"tag-or-branch finds nothing", []string{"GITLAB_CI=true"}, []string{"plan", "--repo", "r.example.com/a", "--tagging-strategy", "tag-or-branch"}, exitUsage},
		{"invalid repo", nil, []string{"plan", "--repo", "R/x", "--tag-custom", "x"}, exitUsage},
		{"unwritable dotenv", []string{"GITLAB_CI=true", "CI_PROJECT_DIR=" + filepath.Join(dir, "none")}, []string{"plan", "--repo", "r.example.com/a", "--tag-custom", "x"}, exitUsage},
		{"unwritable GitHub output", []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + filepath.Join(dir, "none", "o")}, []string{"plan", "--repo", "r.example.com/a", "--tag-custom", "x"}, exitUsage},
		{"unknown platform variable", []string{"SHIPTAG_PLATFORM=jenkins"}, []string{"plan", "--repo", "r.example.com/a", "--tag-custom", "x"}, exitUsage},
		{"publish: image without a source", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web", "--tag-custom", "x"}, exitUsage},
		{"publish: unknown meta-labels", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:x", "--tag-custom", "x", "--meta-labels", "all"}, exitUsage},
		{"publish: label without =", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:x", "--tag-custom", "x", "--add-label", "team"}, exitUsage},
		{"publish: negative jobs", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:x", "--tag-custom", "x", "--jobs", "-1"}, exitUsage},
		{"publish: user without password", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:x", "--tag-custom", "x", "--username", "me"}, exitUsage},
		{"publish: bad SOURCE_DATE_EPOCH", []string{"SOURCE_DATE_EPOCH=yesterday"}, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:x", "--tag-custom", "x"}, exitUsage},
		{"publish: unknown transport", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=docker-deamon:x", "--tag-custom", "x"}, exitUsage},
		{"publish: missing layout", nil, []string{"publish", "--repo", "r.example.com/a", "--image", "web=oci:" + filepath.Join(dir, "none"), "--tag-custom", "x"}, exitUsage},
		{"slugify without values", nil, []string{"slugify"}, exitUsage},
		{"slugify unknown format", nil, []string{"slugify", "--format", "x", "a"}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runArgs(t, tc.env, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if code == exitUsage && len(tc.args) > 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("want one clear error, got:\n%s", stderr)
			}
		})
	}
}

// TestSlugifyVectors runs every vector of the spec through `shiptag slugify`,
// all inputs in one call per format, one output line per input.
func TestSlugifyVectors(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "internal", "slug", "testdata", "slug-vectors.json"))
	if err != nil {
		t.Fatalf("reading the slug vectors: %v", err)
	}
	var file struct {
		Vectors []map[string]string `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for format, key := range map[string]string{"strict": "seed", "docker-tag": "docker_tag"} {
		args := []string{"slugify", "--format", format, "--"}
		var want []string
		for _, v := range file.Vectors {
			args = append(args, v["input"])
			want = append(want, v[key])
		}
		code, stdout, stderr := runArgs(t, nil, args...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", format, diff)
		}
	}
	// SHIPTAG_SLUG sets the default format.
	if _, out, _ := runArgs(t, []string{"SHIPTAG_SLUG=docker-tag"}, "slugify", "v2.3.1"); out != "v2.3.1\n" {
		t.Errorf("SHIPTAG_SLUG=docker-tag slugify v2.3.1 = %q", out)
	}
}

// TestHelpShowsDefaultsNotVariables keeps --help honest: it lists every flag
// with its variable and built-in default, never a value from the environment.
func TestHelpShowsDefaultsNotVariables(t *testing.T) {
	t.Parallel()
	_, out, _ := runArgs(t, []string{"SHIPTAG_REPO=secret.example.com/x", "SHIPTAG_REPO_MODE=monorepo"}, "plan", "--help")
	if strings.Contains(out, "secret.example.com") || strings.Contains(out, `default "monorepo"`) {
		t.Errorf("help shows values from the environment:\n%s", out)
	}
	for _, want := range []string{"--repo REPO", "(env SHIPTAG_REPO)", `(env SHIPTAG_REPO_MODE, default "auto")`, "--tag-custom TAG", "--dotenv-file"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// TestCLIHabits: what people type out of habit works, or says what they meant.
func TestCLIHabits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // substrings; "" for no check
	}{
		{"--version", []string{"--version"}, exitOK, "shiptag v", ""},
		{"help CMD", []string{"help", "cleanup"}, exitOK, "shiptag cleanup [--image NAME...] [flags]", ""},
		{"a mistyped flag", []string{"publish", "-tags-custom", "x"}, exitUsage, "", "-tags-custom: did you mean --tag-custom?"},
		{"a flag nothing is near", []string{"plan", "--frobnicate"}, exitUsage, "", "flag provided but not defined: -frobnicate\n"},
		{"help written for the command", []string{"cleanup", "--help"}, exitOK, "--image NAME\n        NAME of an image whose tags to clean", ""},
		{"publish's --image needs its source", []string{"publish", "--help"}, exitOK, "image as NAME=SOURCE, or =SOURCE for the nameless image", ""},
		{"a bad number names its variable", []string{"publish", "--jobs", "abc"}, exitUsage, "",
			`--jobs (SHIPTAG_JOBS): "abc" is not a valid value: it must be a whole number`},
		{"a bad boolean names its variable", []string{"cleanup", "--dry-run=maybe"}, exitUsage, "",
			`--dry-run (SHIPTAG_DRY_RUN): "maybe" is not a valid value: it must be true or false`},
		{"a mistyped command", []string{"publsh"}, exitUsage, "", "unknown command \"publsh\"\nDid you mean \"publish\"? Run 'shiptag help'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runArgs(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
		})
	}
}

// TestCorruptSourceIsUsage: a local source whose layer does not match its
// manifest is the user's to fix (exit 2), whether it is found while the
// registry is read (publish, which checks it beside the reads) or before a
// dry run reports; nothing is written either way.
func TestCorruptSourceIsUsage(t *testing.T) {
	t.Parallel()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	backend, _, err := sample.Seed(50_000)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backend")
	if err := sample.WriteLayout(dir, source.Artifact{Image: backend}); err != nil {
		t.Fatal(err)
	}
	layers, _ := backend.Layers()
	d, _ := layers[2].Digest()
	blob := filepath.Join(dir, "blobs", d.Algorithm, d.Hex)
	data, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(blob, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--dry-run"}} {
		args := append([]string{"publish", "--repo", reg.Host + "/corrupt", "--image", "backend=oci:" + dir, "--tag-custom", "a,b"}, extra...)
		code, _, stderr := runArgs(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, "--image (SHIPTAG_IMAGES): backend: verifying oci:") || !strings.Contains(stderr, "the source is corrupt; rebuild or re-export it") {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d naming the image and the fix", extra, code, stderr, exitUsage)
		}
	}
	if s := reg.Counter.Snapshot(); s.BlobUploads() != 0 || s.Manifests != 0 {
		t.Errorf("the registry got %d blobs and %d manifests from a corrupt source", s.BlobUploads(), s.Manifests)
	}
}
