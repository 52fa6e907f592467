package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// GitHubPackages deletes ghcr.io images through GitHub's REST API for
// packages (https://docs.github.com/rest/packages/packages): a tag is not
// deleted alone there, but the package version (the manifest) with all its
// tags. The token needs delete:packages (or, for GITHUB_TOKEN, admin on
// the package).
type GitHubPackages struct {
	Token string
	// API is https://api.github.com (GITHUB_API_URL), or a test server.
	API    string
	Client *http.Client
}

// githubVersion is one package version: the manifest digest is its name.
type githubVersion struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// DeleteTag: GitHub deletes versions only.
func (g GitHubPackages) DeleteTag(context.Context, string, string) error {
	return ErrTagDeleteUnsupported
}

// DeleteDigest finds the version whose name is digest and deletes it.
func (g GitHubPackages) DeleteDigest(ctx context.Context, repository, digest string) error {
	base, err := g.packageURL(ctx, repository)
	if err != nil {
		return err
	}
	for page := 1; ; page++ {
		data, _, err := call(ctx, g.Client, http.MethodGet, fmt.Sprintf("%s/versions?per_page=100&page=%d", base, page), nil, g.headers)
		if err != nil {
			return err
		}
		var versions []githubVersion
		if err := json.Unmarshal(data, &versions); err != nil {
			return fmt.Errorf("reading the versions of %s: %w", repository, err)
		}
		for _, v := range versions {
			if v.Name == digest {
				_, _, err := call(ctx, g.Client, http.MethodDelete, fmt.Sprintf("%s/versions/%d", base, v.ID), nil, g.headers)
				if isAPIStatus(err, http.StatusNotFound) {
					return nil
				}
				return err
			}
		}
		if len(versions) < 100 {
			return nil // no such version: already gone
		}
	}
}

// packageURL is the package's API address: an organization's, else a
// user's. The package name is the path after the owner, escaped.
func (g GitHubPackages) packageURL(ctx context.Context, repository string) (string, error) {
	path := strings.TrimPrefix(repository, "ghcr.io/")
	owner, pkg, ok := strings.Cut(path, "/")
	if !ok {
		return "", fmt.Errorf("%q names no package under an owner (ghcr.io/OWNER/PACKAGE)", repository)
	}
	for _, kind := range []string{"orgs", "users"} {
		u := fmt.Sprintf("%s/%s/%s/packages/container/%s", g.API, kind, owner, url.PathEscape(pkg))
		_, _, err := call(ctx, g.Client, http.MethodGet, u, nil, g.headers)
		if err == nil {
			return u, nil
		}
		if !isAPIStatus(err, http.StatusNotFound) {
			return "", err
		}
	}
	return "", fmt.Errorf("package %s of %s not found as an organization's or a user's: check the token's read:packages scope", pkg, owner)
}

func (g GitHubPackages) headers(r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+g.Token)
	r.Header.Set("Accept", "application/vnd.github+json")
	r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	return nil
}
