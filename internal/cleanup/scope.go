package cleanup

import (
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/naming"
)

// Check refuses a limit that is neither a count nor a number of days (from
// 0 up) nor -1, naming the flag that set it.
func (p Policy) Check() error {
	limits := []struct {
		flag  string
		value int
	}{{"git-tag-strategy-limit", p.GitTagLimit}, {"git-tag-strategy-expiry-days", p.GitTagExpiryDays},
		{"git-commit-strategy-limit", p.GitCommitLimit}, {"git-commit-strategy-expiry-days", p.GitCommitExpiryDays}}
	for _, l := range limits {
		if l.value < -1 {
			return inputs.Errorf(l.flag, "%d is not a limit: use a number from 0 up, or -1 for no limit", l.value)
		}
	}
	return nil
}

// ScopesOf are the repositories (and, in a monorepo, the tag prefixes) of
// the named images, where publish put them; "" is the nameless image.
func ScopesOf(repo naming.Repo, images []string) ([]Scope, error) {
	var scopes []Scope
	for _, image := range images {
		repository, err := repo.Repository(image)
		if err != nil {
			return nil, err
		}
		s := Scope{Image: image, Repository: repository}
		if image != "" && repo.Mode == naming.Monorepo {
			s.Prefix = image + "-"
		}
		scopes = append(scopes, s)
	}
	return scopes, nil
}
