package slug

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// vectorsFile is the spec's required vectors, copied into the repository so
// that the tests run anywhere; TestVectorsMatchSpec keeps the copy exact.
const vectorsFile = "testdata/slug-vectors.json"

// specVectors reads the required vectors.
func specVectors(t testing.TB) []struct {
	Input     string `json:"input"`
	Strict    string `json:"seed"`
	DockerTag string `json:"docker_tag"`
} {
	t.Helper()
	path := vectorsFile
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the slug vectors: %v", err)
	}
	var file struct {
		Vectors []struct {
			Input     string `json:"input"`
			Strict    string `json:"seed"`
			DockerTag string `json:"docker_tag"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s holds no vectors", path)
	}
	return file.Vectors
}

// TestVectorsMatchSpec checks the copy against the spec beside the checkout
// (../shared, as the team's machines and CI have it).
func TestVectorsMatchSpec(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "slug-vectors.json"))
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" && os.Getenv("GITHUB_ACTIONS") != "true" {
			t.Fatal("the spec is missing at ../shared: CI must compare the vectors with it")
		}
		t.Skip("no spec at ../shared beside the checkout; the vectors in testdata are used as they are")
	}
	if err != nil {
		t.Fatal(err)
	}
	local, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(local) != string(spec) {
		t.Errorf("%s differs from the spec's slug-vectors.json: copy the spec's file over it", vectorsFile)
	}
}

func TestSpecVectors(t *testing.T) {
	t.Parallel()
	for _, v := range specVectors(t) {
		name := v.Input
		if len(name) > 40 {
			name = name[:20] + "…" + name[len(name)-10:]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Strict.Apply(v.Input); got != v.Strict {
				t.Errorf("strict(%q) = %q, want %q", v.Input, got, v.Strict)
			}
			if got := DockerTag.Apply(v.Input); got != v.DockerTag {
				t.Errorf("docker-tag(%q) = %q, want %q", v.Input, got, v.DockerTag)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"lowercases", "ABC", "abc"},
		{"separators become one dash", "a b&c(d)e+f,g-h.i/j:k;l<m=n>o[p]q_r{s}t~u", "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u"},
		{"other punctuation is dropped", "a!b\"c#d$e%f'g*h?i@j\\k^l`m|n", "abcdefghijklmn"},
		{"control characters are dropped", "a\tb\nc\x00d", "abcd"},
		{"no leading, trailing or repeated dashes", "--x--", "x"},
		{"dropped characters do not separate", "a#-#b", "a-b"},
		{"umlaut", "über", "uber"},
		{"ligature", "æble", "aeble"},
		{"german sharp s", "Straße/Ärger", "strasse-arger"},
		{"cyrillic", "ветка", "vetka"},
		{"cjk words are separated", "中文", "zhong-wen"},
		{"no transliteration is dropped", "a😀b", "ab"},
		{"invalid utf-8 is dropped", "a\xffb", "ab"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Slugify(tc.in)); diff != "" {
				t.Errorf("Slugify(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	long := "xy" + strings.Repeat("ab-", 60) // slugified, its 119th byte is a dash
	cut := "xyab-" + strings.Repeat("ab-", 37) + "ab"
	tests := []struct {
		name     string
		rule     Rule
		in, want string
	}{
		{"strict keeps a plain word", Strict, "main", "main"},
		{"strict hashes transliterated text", Strict, "über", "uber-2ca706a0"},
		{"strict drops the dash left at a cut", Strict, long, cut + "-5c19b61a"},
		{"strict makes a tag of an empty value", Strict, "", "00000000"},
		{"docker-tag keeps a valid tag", DockerTag, "Release_1.0", "Release_1.0"},
		{"docker-tag hash is not zero-padded", DockerTag, ".hidden", "hidden-829fcfc"},
		{"docker-tag keeps the dash at a cut", DockerTag, long, cut + "--1ab6195c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.rule.Apply(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s(%q) mismatch (-want +got):\n%s", tc.rule, tc.in, diff)
			}
			if !IsValidTag(got) {
				t.Errorf("%s(%q) = %q is not a valid tag", tc.rule, tc.in, got)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	t.Parallel()
	for _, r := range Rules {
		got, err := ParseRule(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRule(%q) = %q, %v", r, got, err)
		}
	}
	if _, err := ParseRule("loose"); err == nil || !strings.Contains(err.Error(), `"loose"`) {
		t.Errorf("ParseRule(\"loose\") error = %v, want one quoting the value", err)
	}
}

// FuzzSlug checks, for any input, that neither rule panics, that both give a
// valid tag of at most 128 bytes (docker-tag keeps an empty value empty, as
// werf does), that a docker-tag result slugs to itself, and that both
// slugifiers are idempotent.
func FuzzSlug(f *testing.F) {
	for _, v := range specVectors(f) {
		f.Add(v.Input)
	}
	f.Add("中文/ветка über")
	f.Fuzz(func(t *testing.T, in string) {
		for _, r := range Rules {
			got := r.Apply(in)
			if !IsValidTag(got) && (in != "" || r != DockerTag) {
				t.Fatalf("%s(%q) = %q: not a valid tag", r, in, got)
			}
		}
		if tag := DockerTag.Apply(in); DockerTag.Apply(tag) != tag {
			t.Fatalf("docker-tag(%q) = %q is not a fixed point", in, tag)
		}
		for name, slugify := range map[string]func(string) string{"Slugify": Slugify, "werfSlugify": werfSlugify} {
			s := slugify(in)
			if again := slugify(s); again != s {
				t.Fatalf("%s not idempotent: %q → %q → %q", name, in, s, again)
			}
		}
		s := Slugify(in)
		if s != "" && len(s) <= MaxTagLength && Strict.Apply(s) != s {
			t.Fatalf("strict changed its own slug %q", s)
		}
	})
}
