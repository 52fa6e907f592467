package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inprocess"
)

// TestEngineConnections reads an image the engine holds as docker-daemon:,
// reaching the engine each way the docker CLI does: its TCP listener with
// --tlsverify through DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH;
// GitLab's docker-in-docker layout (DOCKER_TLS_CERTDIR with client/ under it,
// nothing else); and a Docker context made by the docker CLI itself, the
// config's current one, with no DOCKER_HOST. Each gives the image the unix
// socket gives; the TLS port without TLS settings is refused with the host
// named.
func TestEngineConnections(t *testing.T) {
	_, e := requireImage(t)
	tlsHost, certDir := os.Getenv("SHIPTAG_TEST_DOCKER_TLS_HOST"), os.Getenv("SHIPTAG_TEST_DOCKER_TLS_CERTDIR")
	if tlsHost == "" || certDir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SHIPTAG_TEST_DOCKER_TLS_HOST and SHIPTAG_TEST_DOCKER_TLS_CERTDIR are unset: .ci/run starts the engine with a TLS listener")
		}
		t.Skip("no engine TLS listener (SHIPTAG_TEST_DOCKER_TLS_HOST, SHIPTAG_TEST_DOCKER_TLS_CERTDIR; .ci/run sets them)")
	}
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	built := e.runnerImage()
	client := filepath.Join(certDir, "client")

	config := t.TempDir()
	cli := func(args ...string) {
		cmd := exec.Command("docker", append([]string{"--config", config}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cli("context", "create", "tls-engine", "--docker", "host="+tlsHost+",ca="+filepath.Join(client, "ca.pem")+
		",cert="+filepath.Join(client, "cert.pem")+",key="+filepath.Join(client, "key.pem"))
	cli("context", "use", "tls-engine")

	ways := []struct{ tag, how string }{
		{"unix", "DOCKER_HOST=" + e.host},
		{"tls", "DOCKER_HOST=" + tlsHost + " DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=" + client},
		{"dind", "DOCKER_HOST=" + tlsHost + " DOCKER_TLS_CERTDIR=" + certDir},
		{"context", "DOCKER_CONFIG=" + config},
	}
	digests := map[string]string{}
	for _, w := range ways {
		code, stderr := publishFromEngine(reg.Host, built, w.tag, strings.Fields(w.how))
		if code != 0 {
			t.Fatalf("%s (%s): exit %d\n%s", w.tag, w.how, code, stderr)
		}
		ref, _ := name.NewTag(reg.Host+"/engine-ways:"+w.tag, name.Insecure)
		desc, err := remote.Head(ref)
		if err != nil {
			t.Fatal(err)
		}
		digests[w.tag] = desc.Digest.String()
	}
	for _, w := range ways {
		if digests[w.tag] != digests["unix"] {
			t.Errorf("%s gives %s, the unix socket %s", w.tag, digests[w.tag], digests["unix"])
		}
	}
	code, stderr := publishFromEngine(reg.Host, built, "plain", []string{"DOCKER_HOST=" + tlsHost})
	if code == 0 || !strings.Contains(stderr, "DOCKER_HOST "+tlsHost) {
		t.Errorf("the TLS port without TLS: exit %d\n%s", code, stderr)
	}
}

func publishFromEngine(registry, image, tag string, environ []string) (int, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"publish", "--repo", registry + "/engine-ways", "--image", "=docker-daemon:" + image,
		"--tag-custom", tag, "--platform", "local", "--meta-labels", "none"}, environ, nil, &stdout, &stderr)
	return code, stderr.String()
}
