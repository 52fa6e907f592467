package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestEngineOverSSH reads the image through DOCKER_HOST=ssh://, as docker
// does: the docker CLI's connection helper runs `ssh … docker system
// dial-stdio`, here against an sshd on loopback (a key made here) whose
// sessions reach the test engine. It gives the unix socket's image.
func TestEngineOverSSH(t *testing.T) {
	_, e := requireImage(t)
	sshd := requireTool(t, "", "sshd", "apt-get install openssh-server")
	requireTool(t, "", "ssh", "apt-get install openssh-client")
	bin, err := exec.LookPath("shiptag")
	if err != nil {
		t.Fatalf("shiptag is not in PATH (testscript's TestMain puts it there): %v", err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, key := range []string{"host_key", "client_key"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, key)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "authorized_keys"), string(pub))
	port := freeLoopbackPort(t)
	writeFile(t, filepath.Join(dir, "sshd_config"), strings.Join([]string{
		"ListenAddress 127.0.0.1:" + port, "HostKey " + filepath.Join(dir, "host_key"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"), "PasswordAuthentication no",
		"KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
		"PidFile " + filepath.Join(dir, "sshd.pid"), "SetEnv DOCKER_HOST=" + e.host, ""}, "\n"))
	_ = os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	daemon := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var sshdLog bytes.Buffer
	daemon.Stdout, daemon.Stderr = &sshdLog, &sshdLog
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = daemon.Process.Kill(); _ = daemon.Wait() })
	waitForPort(t, "127.0.0.1:"+port)
	// ssh reads the passwd entry's home, never $HOME: the client's settings
	// come through an ssh first in PATH that adds -F, as a runner's own
	// ~/.ssh/config would give them.
	sshBin, _ := exec.LookPath("ssh")
	wrappers := filepath.Join(dir, "bin")
	writeFile(t, filepath.Join(dir, "ssh_config"), "Host 127.0.0.1\n  IdentityFile "+filepath.Join(dir, "client_key")+
		"\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n")
	writeFile(t, filepath.Join(wrappers, "ssh"), "#!/bin/sh\nexec "+sshBin+" -F "+filepath.Join(dir, "ssh_config")+" \"$@\"\n")
	if err := os.Chmod(filepath.Join(wrappers, "ssh"), 0o755); err != nil {
		t.Fatal(err)
	}

	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	built := e.runnerImage()
	if code, stderr := publishFromEngine(reg.Host, built, "unix", []string{"DOCKER_HOST=" + e.host}); code != 0 {
		t.Fatalf("unix: exit %d\n%s", code, stderr)
	}
	cmd := exec.Command(bin, "publish", "--repo", reg.Host+"/engine-ways", "--image", "=docker-daemon:"+built,
		"--tag-custom", "ssh", "--platform", "local", "--meta-labels", "none")
	cmd.Env = []string{"PATH=" + wrappers + ":" + os.Getenv("PATH"), "HOME=" + dir, "DOCKER_HOST=ssh://" + me.Username + "@127.0.0.1:" + port}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("publish through ssh://: %v\n%s\nsshd:\n%s", err, out, sshdLog.String())
	}
	digest := func(tag string) string {
		ref, _ := name.NewTag(reg.Host+"/engine-ways:"+tag, name.Insecure)
		desc, err := remote.Head(ref)
		if err != nil {
			t.Fatal(err)
		}
		return desc.Digest.String()
	}
	if ssh, unix := digest("ssh"), digest("unix"); ssh != unix {
		t.Errorf("ssh:// gives %s, the unix socket %s", ssh, unix)
	}
}

func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func waitForPort(t *testing.T, addr string) {
	t.Helper()
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}
