package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/config"
)

func doc(images, tags int) Document {
	var d Document
	for i := 0; i < images; i++ {
		img := DocImage{Name: fmt.Sprintf("image-%02d", i), Repository: fmt.Sprintf("registry.example.com/team/image-%02d", i)}
		for j := 0; j < tags; j++ {
			ref := fmt.Sprintf("%s:tag-%02d", img.Repository, j)
			img.Tags = append(img.Tags, DocTag{Tag: fmt.Sprintf("tag-%02d", j), Strategy: "custom", Ref: ref})
			d.Refs = append(d.Refs, ref)
		}
		d.Images = append(d.Images, img)
	}
	return d
}

func TestGitLabFits(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shiptag.env")
	note, err := GitLab(path, doc(2, 2))
	if err != nil || note != "" {
		t.Fatalf("GitLab() = %q, %v", note, err)
	}
	got, _ := os.ReadFile(path)
	want := "SHIPTAG_REFS=registry.example.com/team/image-00:tag-00,registry.example.com/team/image-00:tag-01," +
		"registry.example.com/team/image-01:tag-00,registry.example.com/team/image-01:tag-01\nSHIPTAG_TAGS=tag-00,tag-01\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("dotenv mismatch (-want +got):\n%s", diff)
	}
}

func TestGitLabOverflow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := doc(12, 12) // 144 refs of ~46 bytes: over 5 KB
	note, err := GitLab(filepath.Join(dir, "shiptag.env"), d)
	if err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, JSONFileName)
	if !strings.Contains(note, jsonPath) || !strings.Contains(note, "SHIPTAG_JSON_FILE") {
		t.Errorf("note %q does not point at %s", note, jsonPath)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if diff := cmp.Diff("SHIPTAG_JSON_FILE="+jsonPath+"\n", string(env)); diff != "" {
		t.Errorf("dotenv mismatch (-want +got):\n%s", diff)
	}
	var back Document
	data, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("JSON file mismatch (-want +got):\n%s", diff)
	}
}

func TestGitLabUnwritable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "shiptag.env")
	_, err := GitLab(path, doc(1, 1))
	var ie *config.InputError
	if !errors.As(err, &ie) || ie.Input != "--dotenv-file (SHIPTAG_DOTENV_FILE)" || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want an input error on --dotenv-file quoting %s", err, path)
	}
}

func TestGitHub(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, sum := filepath.Join(dir, "out"), filepath.Join(dir, "summary")
	env := map[string]string{"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum}
	skipped, err := GitHub(func(k string) string { return env[k] }, "shiptag plan", doc(1, 2))
	if err != nil || len(skipped) != 0 {
		t.Fatalf("GitHub() = %v, %v", skipped, err)
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
	skipped, err := GitHub(func(string) string { return "" }, "t", doc(1, 1))
	if err != nil || !cmp.Equal(skipped, []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"}) {
		t.Errorf("unset files: %v, %v", skipped, err)
	}
	bad := filepath.Join(t.TempDir(), "no", "such", "file")
	_, err = GitHub(func(k string) string { return map[string]string{"GITHUB_STEP_SUMMARY": bad}[k] }, "t", doc(1, 1))
	var ie *config.InputError
	if !errors.As(err, &ie) || ie.Input != "GITHUB_STEP_SUMMARY" || !strings.Contains(err.Error(), bad) {
		t.Errorf("unwritable summary: error = %v", err)
	}
}
