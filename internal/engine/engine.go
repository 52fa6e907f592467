// Package engine reaches the Docker Engine the way the docker CLI does, so
// that a docker-daemon: source works wherever `docker save` would: DOCKER_HOST
// (unix, tcp, and tcp with TLS by DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or
// GitLab's docker-in-docker certificates in DOCKER_TLS_CERTDIR), ssh:// hosts,
// and the current Docker context (DOCKER_CONTEXT, else the docker config's
// currentContext: Docker Desktop, rootless, remote engines). It speaks the
// Engine API through moby's client library, and reads contexts and opens ssh
// connections with the docker CLI's own packages.
package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cliconfig "github.com/docker/cli/cli/config"
	clicontext "github.com/docker/cli/cli/context"
	"github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	"github.com/moby/moby/client"
)

// DefaultHost is the engine's socket when nothing names another.
const DefaultHost = "unix:///var/run/docker.sock"

// Options are the docker CLI's variables, read by the caller.
type Options struct {
	Host       string // DOCKER_HOST
	TLSVerify  string // DOCKER_TLS_VERIFY: non-empty verifies the engine's TLS
	CertPath   string // DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem
	TLSCertDir string // DOCKER_TLS_CERTDIR: docker-in-docker's certificates (client/ under it)
	Context    string // DOCKER_CONTEXT
	// ConfigDir is the docker config directory: its currentContext, its
	// contexts, and the default DOCKER_CERT_PATH.
	ConfigDir string
}

// Connect returns a client for the engine o names and says which engine that
// is ("DOCKER_HOST tcp://docker:2376", "context desktop-linux"), for errors.
func Connect(o Options) (*client.Client, string, error) {
	ep, where, err := endpoint(o)
	if err != nil {
		return nil, "", err
	}
	opts, err := ep.ClientOpts()
	if err != nil {
		return nil, "", fmt.Errorf("the Docker Engine of %s: %w", where, err)
	}
	c, err := client.New(opts...) // the client negotiates the API version itself
	if err != nil {
		return nil, "", fmt.Errorf("the Docker Engine of %s: %w", where, err)
	}
	return c, where, nil
}

// endpoint resolves the engine in the docker CLI's order: DOCKER_HOST wins,
// then DOCKER_CONTEXT, then the config's currentContext; "default" (or
// nothing) is the local socket.
func endpoint(o Options) (docker.Endpoint, string, error) {
	if o.Host == "" && o.Context == "" && o.TLSCertDir != "" && fileExists(filepath.Join(o.TLSCertDir, "client", "ca.pem")) {
		// As the docker:cli image does for GitLab's dind service.
		o.Host = "tcp://docker:2376"
	}
	if o.Host != "" {
		ep, err := hostEndpoint(o)
		return ep, "DOCKER_HOST " + o.Host, err
	}
	name := o.Context
	if name == "" && o.ConfigDir != "" {
		cf, err := cliconfig.Load(o.ConfigDir)
		if err != nil {
			return docker.Endpoint{}, "", fmt.Errorf("reading the docker config in %s: %w", o.ConfigDir, err)
		}
		name = cf.CurrentContext
	}
	if name == "" || name == "default" {
		return docker.Endpoint{EndpointMeta: docker.EndpointMeta{Host: DefaultHost}}, DefaultHost, nil
	}
	ep, err := contextEndpoint(o.ConfigDir, name)
	return ep, "context " + name, err
}

// hostEndpoint is DOCKER_HOST with the TLS material the variables name.
func hostEndpoint(o Options) (docker.Endpoint, error) {
	ep := docker.Endpoint{EndpointMeta: docker.EndpointMeta{Host: o.Host}}
	certs := o.CertPath
	if certs == "" && o.TLSCertDir != "" {
		certs = filepath.Join(o.TLSCertDir, "client")
	}
	verify := o.TLSVerify != "" || (o.CertPath == "" && o.TLSCertDir != "" && strings.HasPrefix(o.Host, "tcp://"))
	if !verify {
		return ep, nil
	}
	if certs == "" {
		certs = o.ConfigDir
	}
	var tls clicontext.TLSData
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"ca.pem", &tls.CA}, {"cert.pem", &tls.Cert}, {"key.pem", &tls.Key}} {
		data, err := os.ReadFile(filepath.Join(certs, f.name))
		if err != nil {
			return docker.Endpoint{}, fmt.Errorf("DOCKER_TLS_VERIFY is set, but %w: put ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH", err)
		}
		*f.dst = data
	}
	ep.TLSData = &tls
	return ep, nil
}

// contextEndpoint reads a Docker context from the config's context store.
func contextEndpoint(configDir, name string) (docker.Endpoint, error) {
	if configDir == "" {
		return docker.Endpoint{}, fmt.Errorf("the Docker context %q: no docker config directory to read it from (set DOCKER_CONFIG or HOME)", name)
	}
	s := store.New(filepath.Join(configDir, "contexts"), store.NewConfig(func() any { return &map[string]any{} },
		store.EndpointTypeGetter(docker.DockerEndpoint, func() any { return &docker.EndpointMeta{} })))
	md, err := s.GetMetadata(name)
	if err != nil {
		var notFound interface{ NotFound() }
		if errors.Is(err, os.ErrNotExist) || errors.As(err, &notFound) {
			return docker.Endpoint{}, fmt.Errorf("the Docker context %q does not exist in %s: create it with docker context create, or set DOCKER_HOST", name, configDir)
		}
		return docker.Endpoint{}, fmt.Errorf("the Docker context %q: %w", name, err)
	}
	meta, err := docker.EndpointFromContext(md)
	if err != nil {
		return docker.Endpoint{}, fmt.Errorf("the Docker context %q: %w", name, err)
	}
	ep, err := docker.WithTLSData(s, name, meta)
	if err != nil {
		return docker.Endpoint{}, fmt.Errorf("the Docker context %q: %w", name, err)
	}
	return ep, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
