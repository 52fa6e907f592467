package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/shiptag/shiptag/internal/requests"
)

// Explain turns a failure to do what (e.g. "push to") in repo, which needs
// the perm permission (e.g. "push"), into one error that says what to fix.
func (a *Access) Explain(what, perm string, repo name.Repository, err error) error {
	host := repo.RegistryStr()
	var terr *transport.Error
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var stall *requests.StallError
	var dns *net.DNSError
	switch {
	case errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden):
		return fmt.Errorf("cannot %s %s: the registry refused the credentials (%s) with %d %s; "+
			"check the user, password or token and its %s permission", what, repo, a.credentialSource(host), terr.StatusCode, http.StatusText(terr.StatusCode), perm)
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

func (a *Access) credentialSource(registry string) string {
	if from, ok := a.from[registry]; ok {
		return from
	}
	if a.userDir == "" {
		return "none found"
	}
	return "docker config in " + a.userDir + ", if any"
}
