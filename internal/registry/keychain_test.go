package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// TestMemory: shiptag's own logins resolve by registry (Docker Hub by any of
// its names) and nothing else does; no file is written for them.
func TestMemory(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	kc := authn.NewMultiKeychain(Memory([]Login{
		{Registry: "registry.example.com:5000", Username: "ci", Password: "s3cret"},
		{Registry: "docker.io", Username: "hub", Password: "pw"},
	}), Keychain(filepath.Join(tmp, "no-such-dir")))
	for ref, want := range map[string]authn.AuthConfig{
		"registry.example.com:5000/team/app": {Username: "ci", Password: "s3cret"},
		"library/nginx":                      {Username: "hub", Password: "pw"},
		"index.docker.io/team/app":           {Username: "hub", Password: "pw"},
		"other.example.com/x":                {},
	} {
		repo, _ := name.NewRepository(ref)
		a, err := kc.Resolve(repo)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%s: credentials mismatch (-want +got):\n%s", ref, diff)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestConfigDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ flag, env, home, want string }{
		{"/f", "/e", "/h", "/f"},
		{"", "/e", "/h", "/e"},
		{"", "", "/h", "/h/.docker"},
		{"", "", "", ""},
	} {
		if got := ConfigDir(tc.flag, tc.env, tc.home); got != tc.want {
			t.Errorf("ConfigDir(%q, %q, %q) = %q, want %q", tc.flag, tc.env, tc.home, got, tc.want)
		}
	}
}
