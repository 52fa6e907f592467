package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestEndpoint resolves the engine in the docker CLI's order. The context
// store's layout here is the one `docker context create` writes; the real
// engine tests in cmd/shiptag read a context the docker CLI made.
func TestEndpoint(t *testing.T) {
	t.Parallel()
	config := t.TempDir()
	write(t, filepath.Join(config, "config.json"), `{"currentContext":"desktop"}`)
	for name, host := range map[string]string{"desktop": "unix:///desktop.sock", "other": "tcp://other:2375"} {
		// The store keys contexts by the SHA-256 of their name.
		write(t, filepath.Join(config, "contexts", "meta", digestOf(name), "meta.json"),
			`{"Name":"`+name+`","Metadata":{},"Endpoints":{"docker":{"Host":"`+host+`","SkipTLSVerify":false}}}`)
	}
	dind := t.TempDir()
	for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
		write(t, filepath.Join(dind, "client", f), "x")
	}
	tests := []struct {
		name      string
		o         Options
		host, why string
		tls       bool
	}{
		{"nothing: the local socket", Options{}, DefaultHost, DefaultHost, false},
		{"DOCKER_HOST wins over every context", Options{Host: "tcp://h:2375", Context: "other", ConfigDir: config}, "tcp://h:2375", "DOCKER_HOST tcp://h:2375", false},
		{"DOCKER_CONTEXT over the config's current one", Options{Context: "other", ConfigDir: config}, "tcp://other:2375", "context other", false},
		{"the config's current context", Options{ConfigDir: config}, "unix:///desktop.sock", "context desktop", false},
		{"the default context is the socket", Options{Context: "default", ConfigDir: config}, DefaultHost, DefaultHost, false},
		{"TLS from DOCKER_CERT_PATH", Options{Host: "tcp://h:2376", TLSVerify: "1", CertPath: filepath.Join(dind, "client")}, "tcp://h:2376", "DOCKER_HOST tcp://h:2376", true},
		{"GitLab's dind: certificates and no host", Options{TLSCertDir: dind}, "tcp://docker:2376", "DOCKER_HOST tcp://docker:2376", true},
		{"GitLab's dind with its host", Options{Host: "tcp://docker:2376", TLSCertDir: dind}, "tcp://docker:2376", "DOCKER_HOST tcp://docker:2376", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ep, why, err := endpoint(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if ep.Host != tc.host || why != tc.why || (ep.TLSData != nil) != tc.tls {
				t.Errorf("endpoint = %q (%q, TLS %v), want %q (%q, TLS %v)", ep.Host, why, ep.TLSData != nil, tc.host, tc.why, tc.tls)
			}
		})
	}
	for name, o := range map[string]Options{
		"an unknown context":              {Context: "gone", ConfigDir: config},
		"DOCKER_TLS_VERIFY without certs": {Host: "tcp://h:2376", TLSVerify: "1", CertPath: t.TempDir()},
	} {
		if _, _, err := endpoint(o); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "DOCKER") && !strings.Contains(err.Error(), "context") {
			t.Errorf("%s: %v names no setting", name, err)
		}
	}
}

func digestOf(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}
