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
	// ECR's private registry hosts: IPv4 (ecr, ecr-fips) under amazonaws.com
	// or, in China, amazonaws.com.cn; dual-stack (dkr-ecr, dkr-ecr-fips)
	// under on.aws or, in China, on.amazonwebservices.com.cn.
	ecrHost = regexp.MustCompile(`^([0-9]{12})\.(?:dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|` +
		`(dkr-ecr)(-fips)?\.([a-z0-9-]+)\.on\.(?:aws|amazonwebservices\.com\.cn))$`)
	hubHost = map[string]bool{"": true, "index.docker.io": true, "registry.hub.docker.com": true, "docker.io": true}
)

// ECRPublicHost is Amazon ECR Public's registry, public.ecr.aws/ALIAS/REPO.
const ECRPublicHost = "public.ecr.aws"

// ECRHost is an ECR registry host read into what reaches its API.
type ECRHost struct {
	Account, Region string
	// FIPS and DualStack pick the API endpoints of the same kind.
	FIPS, DualStack bool
	// Public is ECR Public (public.ecr.aws), whose API is in us-east-1.
	Public bool
}

// ParseECRHost reads any ECR registry host: private (FIPS, China and
// dual-stack forms too) or ECR Public.
func ParseECRHost(host string) (ECRHost, bool) {
	h := strings.ToLower(host)
	if h == ECRPublicHost {
		return ECRHost{Region: "us-east-1", Public: true}, true
	}
	m := ecrHost.FindStringSubmatch(h)
	if m == nil {
		return ECRHost{}, false
	}
	if m[4] != "" { // dual-stack
		return ECRHost{Account: m[1], Region: m[6], FIPS: m[5] != "", DualStack: true}, true
	}
	return ECRHost{Account: m[1], Region: m[3], FIPS: m[2] != ""}, true
}

// ParseECR reads a private ECR registry host into its account and region.
func ParseECR(host string) (account, region string, ok bool) {
	e, ok := ParseECRHost(host)
	if !ok || e.Public {
		return "", "", false
	}
	return e.Account, e.Region, true
}

// Detect names the registry at host ("" means Docker Hub, as in "account/app").
// ciRegistry is the CI platform's own registry host (GitLab's CI_REGISTRY),
// recognised as GitLab on self-managed instances.
func Detect(host, ciRegistry string) Implementation {
	h := strings.ToLower(host)
	switch {
	case hubHost[h]:
		return DockerHub
	case ecrHost.MatchString(h), h == ECRPublicHost:
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
