package cleanup

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// ACR deletes tags through Azure Container Registry's API
// (https://learn.microsoft.com/rest/api/containerregistry/tag/delete),
// which removes a tag and keeps its manifest; manifests go through the
// registry's own delete.
type ACR struct {
	Username, Password string
	// API is https://REGISTRY.azurecr.io, or a test server.
	API      string
	Client   *http.Client
	Manifest Deleter // deletes by digest: the OCI API
}

// DeleteTag removes one tag.
func (a ACR) DeleteTag(ctx context.Context, repository, tag string) error {
	_, path, _ := strings.Cut(repository, "/")
	url := fmt.Sprintf("%s/acr/v1/%s/_tags/%s", a.API, path, tag)
	_, _, err := call(ctx, a.Client, http.MethodDelete, url, nil, func(r *http.Request) error {
		r.SetBasicAuth(a.Username, a.Password)
		return nil
	})
	if isAPIStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// DeleteDigest deletes a manifest through the registry API.
func (a ACR) DeleteDigest(ctx context.Context, repository, digest string) error {
	return a.Manifest.DeleteDigest(ctx, repository, digest)
}
