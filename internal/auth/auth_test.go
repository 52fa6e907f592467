package auth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func TestTempConfig(t *testing.T) {
	t.Parallel()
	dir, remove, err := TempConfig([]Login{
		{Registry: "registry.example.com:5000", Username: "ci", Password: "s3cret"},
		{Registry: "docker.io", Username: "hub", Password: "pw"},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	fst, err := os.Stat(filepath.Join(dir, "config.json"))
	if err != nil || fst.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode %v (%v), want 0600", fst.Mode().Perm(), err)
	}
	kc := Keychain(dir, filepath.Join(t.TempDir(), "no-such-dir"))
	for ref, want := range map[string]authn.AuthConfig{
		"registry.example.com:5000/team/app": {Username: "ci", Password: "s3cret"},
		"library/nginx":                      {Username: "hub", Password: "pw"},
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
	if err := remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("config dir still there after remove: %v", err)
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
