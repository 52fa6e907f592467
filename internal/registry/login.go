package registry

import (
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Login is one set of credentials for one registry.
type Login struct {
	Registry, Username, Password string
}

// Memory is a keychain of shiptag's own logins, held in memory only: no
// file ever holds their secrets, so even a run killed with SIGKILL leaves
// none behind, and concurrent jobs never share one.
func Memory(logins []Login) authn.Keychain { return memoryKeychain(logins) }

type memoryKeychain []Login

// Resolve returns the first login for the target's registry (Docker Hub by
// any of its names), else anonymous.
func (k memoryKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	for _, l := range k {
		if registryOf(l.Registry) == target.RegistryStr() {
			return authn.FromConfig(authn.AuthConfig{Username: l.Username, Password: l.Password}), nil
		}
	}
	return authn.Anonymous, nil
}

// registryOf is a login's registry as go-containerregistry names it.
func registryOf(registry string) string {
	if reg, err := name.NewRegistry(registry); err == nil {
		return reg.RegistryStr()
	}
	return registry
}
