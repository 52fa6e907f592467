package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shiptag/shiptag/internal/registrytest"
)

// environment is the registry every tool talks to, through a counting
// proxy on loopback (and, for the link model, a shaping proxy in front of
// it), and the credentials and trust each tool needs.
type environment struct {
	server   *registrytest.Server
	proxy    *registrytest.Proxy
	link     *linkProxy // nil on plain loopback
	host     string     // what every reference names: the proxy's address, or the link's
	certDir  string     // skopeo's --dest-cert-dir (ca.crt)
	creds    string     // skopeo's --dest-creds
	env      []string   // the tools' environment: trust, docker config, a private HOME
	srcImage string     // the retag scenario's source, pushed once
	home     string     // the tools' HOME
	regctl   string     // the regctl binary, configured for host in home; "" for none
	borrowed bool       // the server is another environment's (stop leaves it)
}

func startEnvironment(work, regctl string) (*environment, error) {
	return startOn(registrytest.Start, work, regctl)
}

// startOpen is startEnvironment on a docker-registry open to anyone, for
// shiptag alone: the same registry, without its password check.
func startOpen(work string) (*environment, error) {
	return startOn(registrytest.StartOpen, work, "")
}

func startOn(start func(script, dir string) (*registrytest.Server, error), work, regctl string) (*environment, error) {
	script, err := filepath.Abs("scripts/test-registry")
	if err != nil {
		return nil, err
	}
	if why := registrytest.Missing(); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	s, err := start(script, filepath.Join(work, "registry"))
	if err != nil {
		return nil, err
	}
	p, err := registrytest.StartCountingProxy(s)
	if err != nil {
		s.Stop()
		return nil, err
	}
	e := &environment{server: s, proxy: p, regctl: regctl}
	if err := e.configure(filepath.Join(work, "loopback"), p.Host); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

// throughLink is e seen through a shaping proxy playing m: the same
// registry and counting proxy, another address and its own tool settings.
func (e *environment) throughLink(work string, m linkModel) (*environment, error) {
	l, err := startLink(e.proxy.Host, m)
	if err != nil {
		return nil, err
	}
	linked := &environment{server: e.server, proxy: e.proxy, link: l, regctl: e.regctl}
	if err := linked.configure(work, l.Host); err != nil {
		l.Close()
		return nil, err
	}
	return linked, nil
}

// configure writes, under work, what the tools need to reach host: a
// private HOME, a docker config with the login, the CA for skopeo, and
// regctl's settings for host.
func (e *environment) configure(work, host string) error {
	s := e.server
	e.host, e.certDir, e.creds = host, filepath.Join(work, "certs"), ""
	login := `{"auths":{}}` // an open registry (registrytest.StartOpen)
	if s.User != "" {
		e.creds = s.User + ":" + s.Password
		login = fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, e.host, base64.StdEncoding.EncodeToString([]byte(e.creds)))
	}
	home, dockerConfig := filepath.Join(work, "home"), filepath.Join(work, "docker")
	for dir, files := range map[string]map[string]string{
		home:         {},
		dockerConfig: {"config.json": login},
		e.certDir:    {"ca.crt": readFile(s.CAFile)},
	} {
		if err := writeFiles(dir, files); err != nil {
			return err
		}
	}
	e.home = home
	e.env = append(os.Environ(), "HOME="+home, "DOCKER_CONFIG="+dockerConfig, "SSL_CERT_FILE="+s.CAFile)
	if e.regctl == "" {
		return nil // shiptag alone runs here
	}
	return runAll(e, [][]string{
		{e.regctl, "registry", "set", host, "--tls", "enabled", "--cacert", readFile(s.CAFile)},
		{e.regctl, "registry", "login", host, "--user", s.User, "--pass", s.Password},
	})
}

// root is where the environment's repositories go: one registry serves
// both, so the link's runs must not find the loopback's blobs.
func (e *environment) root() string {
	if e.link != nil {
		return e.host + "/bench/link"
	}
	return e.host + "/bench/loopback"
}

// inMemory is go-containerregistry's registry in memory, with e's
// certificate, on loopback and through a link playing m: for shiptag
// alone, to tell its own bound from the registry's.
func (e *environment) inMemory(work string, m linkModel) (loop, linked *environment, err error) {
	p, err := registrytest.StartInMemory(e.server)
	if err != nil {
		return nil, nil, err
	}
	loop = &environment{server: e.server, proxy: p, borrowed: true}
	if err := loop.configure(filepath.Join(work, "memory-loopback"), p.Host); err != nil {
		p.Close()
		return nil, nil, err
	}
	l, err := startLink(p.Host, m)
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	linked = &environment{server: e.server, proxy: p, link: l}
	if err := linked.configure(filepath.Join(work, "memory-link"), l.Host); err != nil {
		l.Close()
		p.Close()
		return nil, nil, err
	}
	return loop, linked, nil
}

func (e *environment) stop() {
	if e.link != nil {
		e.link.Close()
		return // the registry and counting proxy are the loopback environment's
	}
	if e.borrowed {
		e.proxy.Close()
		return // the server is another environment's
	}
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
