package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// DockerHub deletes tags through Docker Hub's API
// (https://docs.docker.com/reference/api/hub/latest/): its registry refuses
// deletes. It logs in with a user and a password or personal access token.
type DockerHub struct {
	Username, Password string
	// API is https://hub.docker.com, or a test server.
	API    string
	Client *http.Client

	once  sync.Once
	token string
	err   error
}

// login exchanges the user and password for a token, once.
func (h *DockerHub) login(ctx context.Context) (string, error) {
	h.once.Do(func() {
		body, _ := json.Marshal(map[string]string{"username": h.Username, "password": h.Password})
		data, _, err := call(ctx, h.Client, http.MethodPost, h.API+"/v2/users/login", body, func(r *http.Request) error {
			r.Header.Set("Content-Type", "application/json")
			return nil
		})
		if err != nil {
			h.err = fmt.Errorf("logging in to Docker Hub as %q: %w", h.Username, err)
			return
		}
		var answer struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(data, &answer); err != nil || answer.Token == "" {
			h.err = fmt.Errorf("logging in to Docker Hub as %q: no token in the answer", h.Username)
			return
		}
		h.token = answer.Token
	})
	return h.token, h.err
}

// DeleteTag deletes one tag; the image goes when its last tag does.
func (h *DockerHub) DeleteTag(ctx context.Context, repository, tag string) error {
	token, err := h.login(ctx)
	if err != nil {
		return err
	}
	url := fmt.Sprintf("%s/v2/repositories/%s/tags/%s/", h.API, hubPath(repository), tag)
	_, _, err = call(ctx, h.Client, http.MethodDelete, url, nil, func(r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
	if isAPIStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// DeleteDigest is not needed for tags, which Docker Hub deletes alone; an
// untagged manifest (a referrer) it cannot delete.
func (h *DockerHub) DeleteDigest(context.Context, string, string) error {
	return fmt.Errorf("docker hub: %w; tags are deleted one by one", ErrDigestDeleteUnsupported)
}

// hubPath is "namespace/name" of a Docker Hub repository; official images
// live in "library".
func hubPath(repository string) string {
	for _, prefix := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		repository = strings.TrimPrefix(repository, prefix)
	}
	if !strings.Contains(repository, "/") {
		return "library/" + repository
	}
	return repository
}
