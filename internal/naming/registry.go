// Package naming decides where each image goes: it parses the images repo,
// recognises the registry behind it, picks multirepo or monorepo, and builds
// every image reference. Registries differ in how deep a repository may be,
// and naming refuses, before anything is pushed, the layouts a registry
// cannot hold, with the setting that fixes it.
package naming

import (
	"fmt"
	"regexp"
	"strings"
)

// Implementation names a kind of registry (werf's --repo-container-registry).
type Implementation string

// The registry implementations shiptag knows.
const (
	Auto      Implementation = "auto"
	Default   Implementation = "default"
	DockerHub Implementation = "dockerhub"
	ECR       Implementation = "ecr"
	ACR       Implementation = "acr"
	GCR       Implementation = "gcr"
	GitHub    Implementation = "github"
	GitLab    Implementation = "gitlab"
	Harbor    Implementation = "harbor"
	Quay      Implementation = "quay"
)

// Implementations lists every accepted --registry-implementation value.
var Implementations = []Implementation{Auto, Default, DockerHub, ECR, ACR, GCR, GitHub, GitLab, Harbor, Quay}

// ParseImplementation checks a --registry-implementation value.
func ParseImplementation(s string) (Implementation, error) {
	for _, i := range Implementations {
		if string(i) == s {
			return i, nil
		}
	}
	names := make([]string, len(Implementations))
	for k, i := range Implementations {
		names[k] = string(i)
	}
	return "", fmt.Errorf("unknown registry implementation %q: use one of %s", s, strings.Join(names, ", "))
}

var (
	ecrHost = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)
	hubHost = map[string]bool{"": true, "index.docker.io": true, "registry.hub.docker.com": true, "docker.io": true}
)

// ParseECR reads an ECR registry host, ACCOUNT.dkr.ecr.REGION.amazonaws.com
// (FIPS and China endpoints too), into its account and region.
func ParseECR(host string) (account, region string, ok bool) {
	m := ecrHost.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Detect names the registry at host ("" means Docker Hub, as in "account/app").
// ciRegistry is the CI platform's own registry host (GitLab's CI_REGISTRY),
// recognised as GitLab on self-managed instances.
func Detect(host, ciRegistry string) Implementation {
	h := strings.ToLower(host)
	switch {
	case hubHost[h]:
		return DockerHub
	case ecrHost.MatchString(h):
		return ECR
	case strings.HasSuffix(h, ".azurecr.io"):
		return ACR
	case h == "gcr.io", strings.HasSuffix(h, ".gcr.io"), strings.HasSuffix(h, "-docker.pkg.dev"):
		return GCR
	case h == "ghcr.io":
		return GitHub
	case h == "registry.gitlab.com", ciRegistry != "" && h == strings.ToLower(ciRegistry):
		return GitLab
	case strings.HasPrefix(h, "harbor."):
		return Harbor
	case h == "quay.io":
		return Quay
	}
	return Default
}

// namespaced reports whether the first path level of impl is an account or
// organisation rather than a repository, and how deep a repository may be
// (0: no limit).
func namespaced(impl Implementation) (ok bool, maxDepth int) {
	switch impl {
	case DockerHub, Quay:
		return true, 2
	case GitHub:
		return true, 0
	}
	return false, 0
}

func (i Implementation) title() string {
	switch i {
	case DockerHub:
		return "Docker Hub"
	case Quay:
		return "Quay"
	case GitHub:
		return "GitHub Packages"
	}
	return string(i)
}
