package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/auth"
	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/publish"
)

// registryAccess is how this run talks to registries.
type registryAccess struct {
	keychain  authn.Keychain
	transport http.RoundTripper
	insecure  map[string]bool
	logins    []auth.Login
	from      map[string]string // registry → where its login came from
	userDir   string
}

// newRegistryAccess gathers the logins (the CI platform's, --username), puts
// them in a private docker config, masks their secrets on GitHub, and sets up
// TLS. The returned cleanup removes the private config.
func newRegistryAccess(e *runEnv, cfg *config.Config, facts ci.Facts, hosts []string, password string) (*registryAccess, func(), error) {
	r := &registryAccess{insecure: map[string]bool{}, from: map[string]string{}}
	for _, h := range cfg.InsecureRegistry {
		r.insecure[h] = true
	}
	if l := facts.Login; l != nil {
		r.add(auth.Login{Registry: l.Registry, Username: l.Username, Password: l.Password}, l.From)
	}
	if err := r.addUser(cfg.Username, password, hosts); err != nil {
		return nil, nil, err
	}
	if facts.Platform == ci.GitHub {
		gh := githubactions.New(githubactions.WithWriter(e.stderr), githubactions.WithGetenv(e.getenv))
		for _, l := range r.logins {
			gh.AddMask(l.Password)
		}
	}
	r.userDir = auth.ConfigDir(cfg.DockerConfig, e.getenv("DOCKER_CONFIG"), e.getenv("HOME"))
	cleanup := func() {}
	dirs := []string{r.userDir}
	if len(r.logins) > 0 {
		dir, remove, err := auth.TempConfig(r.logins)
		if err != nil {
			return nil, nil, err
		}
		dirs, cleanup = []string{dir, r.userDir}, func() { _ = remove() }
	}
	r.keychain = auth.Keychain(dirs...)
	r.transport = r.newTransport()
	return r, cleanup, nil
}

func (r *registryAccess) add(l auth.Login, from string) {
	r.logins = append(r.logins, l)
	r.from[l.Registry] = from
}

// addUser adds the --username login for each registry the run writes to
// ("" is Docker Hub).
func (r *registryAccess) addUser(username, password string, hosts []string) error {
	switch {
	case username == "" && password == "":
		return nil
	case username == "":
		return config.Errorf("username", "a password was given but no user: add --username")
	case password == "":
		return config.Errorf("username", "no password for %q: pipe it to --password-stdin or set %sPASSWORD", username, config.EnvPrefix)
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" {
			h = name.DefaultRegistry
		}
		if !seen[h] {
			seen[h] = true
			r.add(auth.Login{Registry: h, Username: username, Password: password}, "--username")
		}
	}
	return nil
}

// readPassword returns SHIPTAG_PASSWORD, or standard input with --password-stdin.
func readPassword(e *runEnv, fromStdin bool, variable string) (string, error) {
	if !fromStdin {
		return variable, nil
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// newTransport verifies TLS except for --insecure-registry hosts.
func (r *registryAccess) newTransport() http.RoundTripper {
	secure := http.DefaultTransport.(*http.Transport).Clone()
	if len(r.insecure) == 0 {
		return secure
	}
	insecure := secure.Clone()
	insecure.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user named these hosts
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if r.insecure[req.URL.Host] {
			return insecure.RoundTrip(req)
		}
		return secure.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip lets a function serve as an http.RoundTripper.
func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// nameOptions parses references of insecure registries as insecure, which
// lets go-containerregistry fall back to plain HTTP for them.
func (r *registryAccess) nameOptions(ref string) []name.Option {
	if host, _, ok := strings.Cut(ref, "/"); ok && r.insecure[host] {
		return []name.Option{name.Insecure}
	}
	return nil
}

// remoteOptions are the settings of every registry request.
func (r *registryAccess) remoteOptions() []remote.Option {
	return []remote.Option{
		remote.WithAuthFromKeychain(r.keychain),
		remote.WithTransport(r.transport),
		remote.WithUserAgent("shiptag/" + buildVersion()),
		// 408, 429, 5xx and broken connections are retried (go-containerregistry's
		// defaults), sooner than its 1 s × 3 start: a CI job should not stall.
		remote.WithRetryBackoff(remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 6}),
	}
}

// checkPush asks each target repository to start an upload and cancels it,
// so that missing or wrong credentials fail before anything is written.
func (r *registryAccess) checkPush(ctx context.Context, targets []publish.Target) error {
	seen := map[name.Repository]bool{}
	for _, t := range targets {
		repo := t.Ref.Context()
		if seen[repo] {
			continue
		}
		seen[repo] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := remote.CheckPushPermission(t.Ref, r.keychain, r.transport); err != nil {
			return r.explain(repo, err)
		}
	}
	return nil
}

// explain turns a failed push check into one error that says what to fix.
func (r *registryAccess) explain(repo name.Repository, err error) error {
	return r.explainAs("push to", "push", repo, err)
}

// explainAs explains a failure to do what (e.g. "push to") in repo, which
// needs the perm permission (e.g. "push").
func (r *registryAccess) explainAs(what, perm string, repo name.Repository, err error) error {
	host := repo.RegistryStr()
	var terr *transport.Error
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	switch {
	case errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden):
		return fmt.Errorf("cannot %s %s: the registry refused the credentials (%s) with %d %s; "+
			"check the user, password or token and its %s permission", what, repo, r.credentialSource(host), terr.StatusCode, http.StatusText(terr.StatusCode), perm)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot %s %s: nothing answers at %s (connection refused); check --repo and that the registry is up", what, repo, host)
	case errors.As(err, &uerr), errors.As(err, &herr):
		return fmt.Errorf("cannot %s %s: its TLS certificate is not trusted (%v); trust its CA (system store or SSL_CERT_FILE), "+
			"or skip verification with --insecure-registry %s", what, repo, firstError(err), host)
	}
	return fmt.Errorf("cannot %s %s (credentials: %s): %w", what, repo, r.credentialSource(host), err)
}

// firstError is the innermost x509 error's text, without the fallbacks
// go-containerregistry tried after it.
func firstError(err error) string {
	var uerr x509.UnknownAuthorityError
	if errors.As(err, &uerr) {
		return uerr.Error()
	}
	var herr x509.HostnameError
	if errors.As(err, &herr) {
		return herr.Error()
	}
	return err.Error()
}

func (r *registryAccess) credentialSource(registry string) string {
	if from, ok := r.from[registry]; ok {
		return from
	}
	if r.userDir == "" {
		return "none found"
	}
	return "docker config in " + r.userDir + ", if any"
}
