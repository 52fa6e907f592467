package registry

import (
	"fmt"
	"path/filepath"

	"github.com/docker/cli/cli/config"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// ConfigDir is the docker config directory of the user: --docker-config,
// else DOCKER_CONFIG, else ~/.docker, from the given values (never from the
// process environment).
func ConfigDir(flag, dockerConfig, home string) string {
	switch {
	case flag != "":
		return flag
	case dockerConfig != "":
		return dockerConfig
	case home != "":
		return filepath.Join(home, ".docker")
	}
	return ""
}

// Keychain resolves credentials from docker config directories, first match
// first. A directory without config.json gives no credentials.
func Keychain(dirs ...string) authn.Keychain {
	var chains []authn.Keychain
	for _, d := range dirs {
		if d != "" {
			chains = append(chains, configKeychain{dir: d})
		}
	}
	return authn.NewMultiKeychain(chains...)
}

type configKeychain struct{ dir string }

// Resolve looks the target up as docker does: by repository, then registry.
func (k configKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	cf, err := config.Load(k.dir)
	if err != nil {
		return nil, fmt.Errorf("reading docker config in %s: %w", k.dir, err)
	}
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		ac, err := cf.GetAuthConfig(key)
		if err != nil {
			return nil, fmt.Errorf("docker config in %s, credentials for %s: %w", k.dir, key, err)
		}
		if ac.Username != "" || ac.Password != "" || ac.Auth != "" || ac.IdentityToken != "" || ac.RegistryToken != "" {
			return authn.FromConfig(authn.AuthConfig{Username: ac.Username, Password: ac.Password, Auth: ac.Auth,
				IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken}), nil
		}
	}
	return authn.Anonymous, nil
}
