package naming

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/slug"
)

// Mode says where named images go.
type Mode string

const (
	AutoMode  Mode = "auto"      // chosen by registry
	Multirepo Mode = "multirepo" // REPO/NAME:TAG
	Monorepo  Mode = "monorepo"  // REPO:NAME-TAG
)

// ParseMode checks a --repo-mode value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case AutoMode, Multirepo, Monorepo:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown repo mode %q: use %q, %q or %q", s, AutoMode, Multirepo, Monorepo)
}

// Repo is a parsed images repo with its registry and mode decided.
type Repo struct {
	// Name is the repo as the user wrote it, without a trailing slash.
	Name           string
	Host, Path     string
	Implementation Implementation
	Mode           Mode
}

// pathComponent is the distribution spec's grammar for one level of a
// repository path.
var pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// ParseRepo parses raw (--repo), names its registry (impl, or detected when
// Auto) and resolves mode (Auto: by registry). ciRegistry is the CI
// platform's registry host, if any.
func ParseRepo(raw string, impl Implementation, mode Mode, ciRegistry string) (Repo, error) {
	r := Repo{Name: strings.TrimSuffix(raw, "/")}
	if r.Name == "" {
		return Repo{}, inputs.Errorf("repo", "no images repo: pass --repo, e.g. --repo registry.example.com/team/app")
	}
	if scheme, rest, ok := strings.Cut(r.Name, "://"); ok {
		return Repo{}, inputs.Errorf("repo", "%q has a URL scheme (%s://): a repository is named without one; write --repo %s", raw, scheme, rest)
	}
	r.Host, r.Path = splitHost(r.Name)
	if r.Host == "" && !strings.Contains(r.Path, "/") && strings.Contains(r.Path, ".") {
		return Repo{}, inputs.Errorf("repo", "%q names a registry but no repository; e.g. --repo %s/team/app", raw, r.Path)
	}
	if err := checkPath(r.Path); err != nil {
		fix := "e.g. registry.example.com/team/app"
		if lower := strings.ToLower(r.Path); checkPath(lower) == nil {
			fix = "write --repo " + strings.TrimPrefix(r.Host+"/"+lower, "/") // only the case was wrong
		}
		return Repo{}, inputs.Errorf("repo", "%q is not a valid repository: %w; %s", raw, err, fix)
	}
	if _, err := name.NewRepository(r.Name); err != nil {
		return Repo{}, inputs.Errorf("repo", "%q is not a valid repository: %w; e.g. registry.example.com/team/app", raw, err)
	}
	r.Implementation = impl
	if impl == Auto || impl == "" {
		r.Implementation = Detect(r.Host, ciRegistry)
	}
	var err error
	if r.Mode, err = r.resolveMode(mode); err != nil {
		return Repo{}, err
	}
	return r, nil
}

// splitHost splits "host/path" the way docker does: the first level is a host
// when it has a dot or a colon or is localhost; otherwise it is Docker Hub.
func splitHost(s string) (host, path string) {
	first, rest, ok := strings.Cut(s, "/")
	if ok && (first == "localhost" || strings.ContainsAny(first, ".:")) {
		return first, rest
	}
	return "", s
}

func checkPath(path string) error {
	if path == "" {
		return errors.New("it names a registry but no repository")
	}
	for _, c := range strings.Split(path, "/") {
		if !pathComponent.MatchString(c) {
			return fmt.Errorf("path level %q must be lowercase letters and digits, joined by single . _ or runs of -", c)
		}
	}
	return nil
}

func (r Repo) depth() int { return strings.Count(r.Path, "/") + 1 }

// resolveMode applies werf's auto rules and refuses layouts the registry
// cannot hold.
func (r Repo) resolveMode(mode Mode) (Mode, error) {
	ns, maxDepth := namespaced(r.Implementation)
	if !ns {
		if mode == AutoMode || mode == "" {
			return Multirepo, nil
		}
		return mode, nil
	}
	d := r.depth()
	if maxDepth > 0 && d > maxDepth {
		return "", inputs.Errorf("repo", "%q has %d levels, but %s repositories have exactly two (account/name); "+
			"use --repo %s/%s", r.Name, d, r.Implementation.title(), r.hostPrefix(), strings.Join(strings.Split(r.Path, "/")[:2], "/"))
	}
	auto := Multirepo
	if d == 2 && maxDepth == 2 || d > 2 {
		auto = Monorepo
	}
	switch {
	case mode == AutoMode || mode == "":
		return auto, nil
	case mode == Monorepo && d == 1:
		return "", inputs.Errorf("repo-mode", "monorepo needs a repository, but %q is a %s account, so images would go to %q; "+
			"use --repo-mode multirepo (%s/NAME:TAG), or name a repository: --repo %s/NAME",
			r.Name, r.Implementation.title(), r.Name+":NAME-TAG", r.Name, r.Name)
	case mode == Multirepo && maxDepth == 2 && d == 2:
		return "", inputs.Errorf("repo-mode", "multirepo would publish to %q, but %s repositories have exactly two levels (account/name); "+
			"use --repo-mode monorepo (%s:NAME-TAG), or an account: --repo %s",
			r.Name+"/NAME", r.Implementation.title(), r.Name, r.Name[:strings.LastIndex(r.Name, "/")])
	}
	return mode, nil
}

func (r Repo) hostPrefix() string {
	if r.Host == "" {
		return "docker.io"
	}
	return r.Host
}

// Repository returns the repository that image goes to ("" is the nameless
// image), or an error naming --image when its name cannot be used there.
func (r Repo) Repository(image string) (string, error) {
	if image == "" {
		if ns, _ := namespaced(r.Implementation); ns && r.depth() == 1 {
			return "", inputs.Errorf("image", "the nameless image would go to %q, which is a %s account, not a repository; "+
				"give the image a name (--image NAME=SOURCE) or name a repository: --repo %s/NAME", r.Name, r.Implementation.title(), r.Name)
		}
		return r.Name, nil
	}
	if r.Mode == Monorepo {
		if !slug.IsValidTag(image) || strings.ContainsAny(image, "/") {
			return "", inputs.Errorf("image", "%q cannot start a monorepo tag (%s:%s-TAG): use letters, digits, _ . - only", image, r.Name, image)
		}
		return r.Name, nil
	}
	if err := checkPath(image); err != nil {
		return "", inputs.Errorf("image", "%q cannot be a repository name under %q: %w", image, r.Name, err)
	}
	return r.Name + "/" + image, nil
}

// Ref returns the reference of image under tag; Repository must have
// accepted image first.
func (r Repo) Ref(image, tag string) (string, error) {
	t := tag
	if image != "" && r.Mode == Monorepo {
		t = image + "-" + tag
	}
	repo, err := r.Repository(image)
	if err != nil {
		return "", err
	}
	if !slug.IsValidTag(t) {
		return "", inputs.Errorf("image", "tag %q of image %q is longer than %d bytes in monorepo; use a shorter image name or --repo-mode multirepo", t, image, slug.MaxTagLength)
	}
	ref := repo + ":" + t
	if _, err := name.NewTag(ref); err != nil {
		return "", inputs.Errorf("repo", "reference %q is not valid: %w", ref, err)
	}
	return ref, nil
}
