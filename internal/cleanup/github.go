package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

	mu       sync.Mutex
	packages map[string]githubPackage // by repository, listed once
}

// githubPackage is a package's API address and its versions by digest.
type githubPackage struct {
	url string
	ids map[string]int64
}

// githubVersion is one package version: the manifest digest is its name.
type githubVersion struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// DeleteTag: GitHub deletes versions only.
func (g *GitHubPackages) DeleteTag(context.Context, string, string) error {
	return ErrTagDeleteUnsupported
}

// DeleteDigest deletes the version whose name is digest.
func (g *GitHubPackages) DeleteDigest(ctx context.Context, repository, digest string) error {
	pkg, err := g.lookup(ctx, repository)
	if err != nil {
		return err
	}
	id, ok := pkg.ids[digest]
	if !ok {
		return nil // no such version: already gone
	}
	_, _, err = call(ctx, g.Client, http.MethodDelete, fmt.Sprintf("%s/versions/%d", pkg.url, id), nil, g.headers)
	if isAPIStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// lookup finds a repository's package and lists its versions, page by
// page, the first time it is asked for.
func (g *GitHubPackages) lookup(ctx context.Context, repository string) (githubPackage, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if pkg, ok := g.packages[repository]; ok {
		return pkg, nil
	}
	url, err := g.packageURL(ctx, repository)
	if err != nil {
		return githubPackage{}, err
	}
	pkg := githubPackage{url: url, ids: map[string]int64{}}
	for page := 1; ; page++ {
		data, _, err := call(ctx, g.Client, http.MethodGet, fmt.Sprintf("%s/versions?per_page=100&page=%d", url, page), nil, g.headers)
		if err != nil {
			return githubPackage{}, err
		}
		var versions []githubVersion
		if err := json.Unmarshal(data, &versions); err != nil {
			return githubPackage{}, fmt.Errorf("reading the versions of %s: %w", repository, err)
		}
		for _, v := range versions {
			pkg.ids[v.Name] = v.ID
		}
		if len(versions) < 100 {
			break
		}
	}
	if g.packages == nil {
		g.packages = map[string]githubPackage{}
	}
	g.packages[repository] = pkg
	return pkg, nil
}

// packageURL is the package's API address: an organization's, else a
// user's. The package name is the path after the owner, escaped.
func (g *GitHubPackages) packageURL(ctx context.Context, repository string) (string, error) {
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

func (g *GitHubPackages) headers(r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+g.Token)
	r.Header.Set("Accept", "application/vnd.github+json")
	r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	return nil
}
