package registry

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/inputs"
)

func TestNewLogins(t *testing.T) {
	t.Parallel()
	ci := &Login{Registry: "registry.gitlab.example.com", Username: "gitlab-ci-token", Password: "job-token"}
	tests := []struct {
		name     string
		opts     Options
		inputErr string // the input a bad login names
		secrets  []string
		logins   map[string]string // host → user LoginFor finds
	}{
		{"nothing: anonymous or the docker config", Options{}, "", nil, map[string]string{"r.example.com": ""}},
		{"the platform's login", Options{PlatformLogin: ci, PlatformFrom: "CI_JOB_TOKEN"}, "", []string{"job-token"},
			map[string]string{"registry.gitlab.example.com": "gitlab-ci-token", "r.example.com": ""}},
		{"--username logs in to every host once; Docker Hub by any name", Options{Username: "me", Password: "pw", Hosts: []string{"", "r.example.com", "r.example.com"}},
			"", []string{"pw", "pw"}, map[string]string{"docker.io": "me", "index.docker.io": "me", "r.example.com": "me"}},
		{"a password without a user", Options{Password: "pw"}, "--username (SHIPTAG_USERNAME)", nil, nil},
		{"a user without a password", Options{Username: "me"}, "--username (SHIPTAG_USERNAME)", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := New(context.Background(), tc.opts)
			var ie *inputs.Error
			if tc.inputErr != "" {
				if !errors.As(err, &ie) || ie.Input != tc.inputErr {
					t.Fatalf("New = %v, want an error on %s", err, tc.inputErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.secrets, a.Secrets()); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
			for host, user := range tc.logins {
				l, ok := a.LoginFor(host)
				if ok != (user != "") || l.Username != user {
					t.Errorf("LoginFor(%s) = %+v, %v; want user %q", host, l, ok, user)
				}
			}
		})
	}
}

func TestNameOptions(t *testing.T) {
	t.Parallel()
	a, err := New(context.Background(), Options{Insecure: []string{"127.0.0.1:5000"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.NameOptions("127.0.0.1:5000/app:v1")) != 1 || len(a.NameOptions("127.0.0.1:5001/app")) != 0 || len(a.NameOptions("app")) != 0 {
		t.Error("only references on an insecure host parse as insecure")
	}
}

// TestExplain covers what a live test cannot reach on loopback: a name
// that does not resolve, and a stopped run.
func TestExplain(t *testing.T) {
	t.Parallel()
	a, err := New(context.Background(), Options{ConfigDir: "/home/me/.docker"})
	if err != nil {
		t.Fatal(err)
	}
	repo, _ := name.NewRepository("registry.example.com/app")
	dns := &net.DNSError{Err: "no such host", Name: "registry.example.com", IsNotFound: true}
	if err := a.Explain("push to", "push", repo, dns); !strings.Contains(err.Error(), "host registry.example.com cannot be resolved") ||
		!strings.Contains(err.Error(), "no such host") {
		t.Errorf("DNS: %v", err)
	}
	other := errors.New("boom")
	if err := a.Explain("list the tags of", "read", repo, other); !errors.Is(err, other) || !strings.HasPrefix(err.Error(), "cannot list the tags of registry.example.com/app: ") {
		t.Errorf("other errors are wrapped: %v", err)
	}
	unknown := x509.UnknownAuthorityError{}
	if err := a.Explain("push to", "push", repo, unknown); !strings.Contains(err.Error(), "--insecure-registry registry.example.com") {
		t.Errorf("TLS: %v", err)
	}
	if got := a.credentialSource("registry.example.com"); got != "docker config in /home/me/.docker, if any" {
		t.Errorf("credential source = %q", got)
	}
}
