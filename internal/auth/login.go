package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Login is one set of credentials for one registry.
type Login struct {
	Registry, Username, Password string
}

// TempConfig writes logins to a new docker config directory (0700, its
// config.json 0600) and returns it with a function that removes it.
func TempConfig(logins []Login) (dir string, remove func() error, err error) {
	dir, err = os.MkdirTemp("", "shiptag-docker-config-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a private docker config: %w", err)
	}
	remove = func() error { return os.RemoveAll(dir) }
	type entry struct {
		Auth string `json:"auth"`
	}
	auths := map[string]entry{}
	for _, l := range logins {
		key := l.Registry
		if reg, err := name.NewRegistry(l.Registry); err == nil && reg.RegistryStr() == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		auths[key] = entry{Auth: base64.StdEncoding.EncodeToString([]byte(l.Username + ":" + l.Password))}
	}
	data, err := json.Marshal(map[string]any{"auths": auths})
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600)
	}
	if err != nil {
		remove()
		return "", nil, fmt.Errorf("writing the private docker config: %w", err)
	}
	return dir, remove, nil
}
