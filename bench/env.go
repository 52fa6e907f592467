package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shiptag/shiptag/internal/registrytest"
)

// environment is the registry every tool talks to, through a counting
// proxy on loopback, and the credentials and trust each tool needs.
type environment struct {
	server   *registrytest.Server
	proxy    *registrytest.Proxy
	host     string   // the proxy's address: what every reference names
	certDir  string   // skopeo's --dest-cert-dir (ca.crt)
	creds    string   // skopeo's --dest-creds
	env      []string // the tools' environment: trust, docker config, a private HOME
	srcImage string   // the retag scenario's source, pushed once
	home     string   // the tools' HOME
}

func startEnvironment(work string) (*environment, error) {
	script, err := filepath.Abs("scripts/test-registry")
	if err != nil {
		return nil, err
	}
	if why := registrytest.Missing(); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	s, err := registrytest.Start(script, filepath.Join(work, "registry"))
	if err != nil {
		return nil, err
	}
	p, err := registrytest.StartProxy(s, registrytest.Faults{})
	if err != nil {
		s.Stop()
		return nil, err
	}
	e := &environment{server: s, proxy: p, host: p.Host, certDir: filepath.Join(work, "certs"),
		creds: s.User + ":" + s.Password}
	home, dockerConfig := filepath.Join(work, "home"), filepath.Join(work, "docker")
	auth := base64.StdEncoding.EncodeToString([]byte(e.creds))
	for dir, files := range map[string]map[string]string{
		home:         {},
		dockerConfig: {"config.json": fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, e.host, auth)},
		e.certDir:    {"ca.crt": readFile(s.CAFile)},
	} {
		if err := writeFiles(dir, files); err != nil {
			e.stop()
			return nil, err
		}
	}
	e.home = home
	e.env = append(os.Environ(), "HOME="+home, "DOCKER_CONFIG="+dockerConfig, "SSL_CERT_FILE="+s.CAFile)
	return e, nil
}

func (e *environment) stop() {
	e.proxy.Close()
	e.server.Stop()
}

func readFile(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

func writeFiles(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}
