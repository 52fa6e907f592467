package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/sethvargo/go-githubactions"
	"golang.org/x/sync/errgroup"

	"github.com/shiptag/shiptag/internal/auth"
	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/requests"
)

// registryAccess is how this run talks to registries.
type registryAccess struct {
	keychain authn.Keychain
	http     *requests.Transport
	insecure map[string]bool
	logins   []auth.Login
	from     map[string]string // registry → where its login came from
	userDir  string
}

// newRegistryAccess gathers the logins (the CI platform's, --username) in
// memory, masks their secrets on GitHub, and sets up the run's transport:
// TLS, --timeout, the retry policy, and ctx's end as every request's end.
func newRegistryAccess(ctx context.Context, e *runEnv, cfg *config.Config, facts ci.Facts, hosts []string, password string) (*registryAccess, error) {
	r := &registryAccess{insecure: map[string]bool{}, from: map[string]string{}}
	for _, h := range cfg.InsecureRegistry {
		r.insecure[h] = true
	}
	if l := facts.Login; l != nil {
		r.add(auth.Login{Registry: l.Registry, Username: l.Username, Password: l.Password}, l.From)
	}
	if err := r.addUser(cfg.Username, password, hosts); err != nil {
		return nil, err
	}
	if facts.Platform == ci.GitHub {
		gh := githubactions.New(githubactions.WithWriter(e.stderr), githubactions.WithGetenv(e.getenv))
		for _, l := range r.logins {
			gh.AddMask(l.Password)
		}
	}
	r.userDir = auth.ConfigDir(cfg.DockerConfig, e.getenv("DOCKER_CONFIG"), e.getenv("HOME"))
	r.keychain = authn.NewMultiKeychain(auth.Memory(r.logins), auth.Keychain(r.userDir))
	r.http = requests.New(ctx, requests.Options{Timeout: time.Duration(cfg.Timeout), Insecure: r.insecure, UserAgent: "shiptag/" + buildVersion()})
	return r, nil
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
	return append([]remote.Option{remote.WithAuthFromKeychain(r.keychain)}, r.http.RemoteOptions()...)
}

// checkPush asks each target repository to start an upload and cancels it,
// so that missing or wrong credentials fail before anything is written:
// jobs repositories at a time, through the retrying transport. The error is
// the first repository's in target order.
func (r *registryAccess) checkPush(ctx context.Context, targets []publish.Target, jobs int) error {
	var repos []name.Repository
	refs := map[name.Repository]name.Reference{}
	for _, t := range targets {
		if repo := t.Ref.Context(); refs[repo] == nil {
			repos = append(repos, repo)
			refs[repo] = t.Ref
		}
	}
	errs := make([]error, len(repos)) // each goroutine writes its own element
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	for i, repo := range repos {
		g.Go(func() error {
			if errs[i] = ctx.Err(); errs[i] == nil {
				errs[i] = remote.CheckPushPermission(refs[repo], r.keychain, r.http)
			}
			return nil
		})
	}
	_ = g.Wait()
	for i, err := range errs {
		if err != nil {
			return r.explain(repos[i], err)
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
	var stall *requests.StallError
	var dns *net.DNSError
	switch {
	case errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden):
		return fmt.Errorf("cannot %s %s: the registry refused the credentials (%s) with %d %s; "+
			"check the user, password or token and its %s permission", what, repo, r.credentialSource(host), terr.StatusCode, http.StatusText(terr.StatusCode), perm)
	case errors.As(err, &terr) && slices.Contains(requests.RetryStatusCodes, terr.StatusCode):
		return fmt.Errorf("cannot %s %s: the registry kept answering %d %s, %d tries; it is failing or overloaded, "+
			"not refusing the credentials: try again later: %w", what, repo, terr.StatusCode, http.StatusText(terr.StatusCode), requests.Backoff.Steps, err)
	case errors.As(err, &stall):
		return fmt.Errorf("cannot %s %s: %w", what, repo, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot %s %s: nothing answers at %s (connection refused); check --repo and that the registry is up", what, repo, host)
	case errors.As(err, &dns):
		return fmt.Errorf("cannot %s %s: the host %s cannot be resolved (%v); check --repo", what, repo, host, dns)
	case errors.As(err, &uerr), errors.As(err, &herr):
		return fmt.Errorf("cannot %s %s: its TLS certificate is not trusted (%v); trust its CA (system store or SSL_CERT_FILE), "+
			"or skip verification with --insecure-registry %s", what, repo, firstError(err), host)
	}
	return fmt.Errorf("cannot %s %s: %w", what, repo, err)
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
