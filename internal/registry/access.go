// Package registry is how a run reaches registries: the logins (the CI
// platform's, --username, the user's docker config with its credential
// helpers, then the cloud's identity), held in memory so that no secret is written to disk; the one
// transport every request goes through (TLS, insecure hosts, --timeout, the
// retry policy, the user agent, the run's end); and the explanations that
// turn a failed request into what to fix.
package registry

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/requests"
)

// Options are a run's registry settings, already read from the user.
type Options struct {
	// PlatformLogin is the CI platform's own login, if the job has one.
	PlatformLogin *Login
	// PlatformFrom names where it came from ("CI_JOB_TOKEN"), for errors.
	PlatformFrom string
	// Username and Password are --username and its password; the login is
	// made for every registry in Hosts ("" is Docker Hub).
	Username, Password string
	Hosts              []string
	// Insecure are the HOST[:PORT]s whose TLS certificate is not verified.
	Insecure []string
	// ConfigDir is the user's docker config directory ("" for none).
	ConfigDir string
	// Timeout bounds each request's silence; UserAgent names shiptag.
	Timeout   time.Duration
	UserAgent string
	// Cloud answers last, for the registries of a cloud whose identity the
	// job has (nil for none).
	Cloud authn.Keychain
	// Jobs bounds the blob reads go-containerregistry runs at once for one
	// puller (its own default is 4, whatever the run's --jobs; cleanup's
	// config reads queued behind it); 0 leaves its default.
	Jobs int
}

// Access is a run's way to registries.
type Access struct {
	jobs     int
	keychain authn.Keychain
	http     *requests.Transport
	insecure map[string]bool
	logins   []Login
	from     map[string]string // registry → where its login came from
	userDir  string
}

// New gathers the logins and sets up the transport; ctx's end ends every
// request made through it.
func New(ctx context.Context, o Options) (*Access, error) {
	a := &Access{jobs: o.Jobs, insecure: map[string]bool{}, from: map[string]string{}, userDir: o.ConfigDir}
	for _, h := range o.Insecure {
		a.insecure[h] = true
	}
	if o.PlatformLogin != nil {
		a.add(*o.PlatformLogin, o.PlatformFrom)
	}
	if err := a.addUser(o.Username, o.Password, o.Hosts); err != nil {
		return nil, err
	}
	chains := []authn.Keychain{Memory(a.logins), Keychain(a.userDir)}
	if o.Cloud != nil {
		chains = append(chains, o.Cloud)
	}
	a.keychain = authn.NewMultiKeychain(chains...)
	a.http = requests.New(ctx, requests.Options{Timeout: o.Timeout, Insecure: a.insecure, UserAgent: o.UserAgent})
	return a, nil
}

func (a *Access) add(l Login, from string) {
	a.logins = append(a.logins, l)
	a.from[l.Registry] = from
}

// addUser adds the --username login for each registry in hosts.
func (a *Access) addUser(username, password string, hosts []string) error {
	switch {
	case username == "" && password == "":
		return nil
	case username == "":
		return inputs.Errorf("username", "a password was given but no user: add --username")
	case password == "":
		return inputs.Errorf("username", "no password for %q: pipe it to --password-stdin or set %s", username, inputs.Password)
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" {
			h = name.DefaultRegistry
		}
		if !seen[h] {
			seen[h] = true
			a.add(Login{Registry: h, Username: username, Password: password}, "--username")
		}
	}
	return nil
}

// Secrets are the passwords of shiptag's own logins, for the platform to
// mask in the job's log.
func (a *Access) Secrets() []string {
	var out []string
	for _, l := range a.logins {
		out = append(out, l.Password)
	}
	return out
}

// LoginFor returns shiptag's own login (the CI platform's or --username)
// for a registry host.
func (a *Access) LoginFor(host string) (Login, bool) {
	for _, l := range a.logins {
		if registryOf(l.Registry) == registryOf(host) {
			return l, true
		}
	}
	return Login{}, false
}

// NameOptions parses references of insecure registries as insecure, which
// lets go-containerregistry fall back to plain HTTP for them.
func (a *Access) NameOptions(ref string) []name.Option {
	if host, _, ok := strings.Cut(ref, "/"); ok && a.insecure[host] {
		return []name.Option{name.Insecure}
	}
	return nil
}

// RemoteOptions are the settings of every registry request.
func (a *Access) RemoteOptions() []remote.Option {
	opts := append([]remote.Option{remote.WithAuthFromKeychain(a.keychain)}, a.http.RemoteOptions()...)
	if a.jobs > 0 {
		opts = append(opts, remote.WithJobs(a.jobs))
	}
	return opts
}

// Keychain resolves the credentials of any registry.
func (a *Access) Keychain() authn.Keychain { return a.keychain }

// Transport is the run's transport, for requests shiptag authenticates
// itself (blob uploads).
func (a *Access) Transport() http.RoundTripper { return a.http }

// Warm dials connections for blob data to host ahead of need (see
// requests.Transport.Warm): a registry source's config read finds one.
func (a *Access) Warm(host string, n int) { a.http.Warm(host, n) }

// Client is an HTTP client over the run's transport, for registries'
// native APIs.
func (a *Access) Client() *http.Client { return a.http.Client() }
