package registry

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/inprocess"
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

// TestCheckPush runs the pre-flight check against the in-process registry,
// and against handlers that fail the way registries fail: each ends in one
// error that says what to fix.
func TestCheckPush(t *testing.T) {
	t.Parallel()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	var busy atomic.Int32
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(refuse.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		busy.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	tlsReg := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		w.Header().Set("Location", "/v2/app/blobs/uploads/1")
		w.WriteHeader(http.StatusAccepted)
	}))
	tlsReg.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake
	t.Cleanup(tlsReg.Close)
	t.Cleanup(func() { // after the subtests, before the servers close
		if busy.Load() < 2 {
			t.Errorf("the failing registry was asked %d times: no retry", busy.Load())
		}
	})
	closed := closedPort(t)
	tests := []struct {
		name     string
		host     string
		opts     Options
		contains []string // nil: the check passes
	}{
		{"a registry that takes pushes", reg.Host, Options{Insecure: []string{reg.Host}}, nil},
		{"refused credentials name their source and the permission", host(refuse.URL), Options{Insecure: []string{host(refuse.URL)}, Username: "me", Password: "pw", Hosts: []string{host(refuse.URL)}},
			[]string{"refused the credentials (--username) with 401 Unauthorized", "push permission"}},
		{"a failing registry is not a credentials problem", host(failing.URL), Options{Insecure: []string{host(failing.URL)}},
			[]string{"kept answering 503 Service Unavailable", "not refusing the credentials"}},
		{"nothing listening", closed, Options{Insecure: []string{closed}}, []string{"nothing answers at " + closed, "check --repo"}},
		{"an untrusted certificate", host(tlsReg.URL), Options{}, []string{"TLS certificate is not trusted", "--insecure-registry " + host(tlsReg.URL)}},
		{"an insecure host skips verification", host(tlsReg.URL), Options{Insecure: []string{host(tlsReg.URL)}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Timeout = 5 * time.Second
			a, err := New(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.NewTag(tc.host+"/app:v1", a.NameOptions(tc.host+"/app")...)
			if err != nil {
				t.Fatal(err)
			}
			err = a.CheckPush(context.Background(), []name.Reference{ref, ref}, 2)
			if tc.contains == nil {
				if err != nil {
					t.Fatalf("CheckPush: %v", err)
				}
				return
			}
			for _, want := range append(tc.contains, "cannot push to "+tc.host+"/app") {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v, want it to say %q", err, want)
				}
			}
		})
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
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ref, _ := name.NewTag("127.0.0.1:1/app:v1", name.Insecure)
	if err := a.CheckPush(ctx, []name.Reference{ref}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("a stopped run: %v", err)
	}
}

func host(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
