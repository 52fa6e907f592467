package cleanup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func days(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

const (
	c1 = "8ba9176f00c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
	c2 = "8ba91770c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"
)

// published is an item whose labels describe it, as publish writes them.
func published(strategy, tag string, created time.Time) Item {
	return Item{Ref: "r.example/app:" + tag, Repository: "r.example/app", Tag: tag, Strategy: strategy, ImageTag: tag,
		Describes: "r.example/app:" + tag, WerfImage: "true", Created: created}
}

func with(it Item, edit func(*Item)) Item { edit(&it); return it }

func TestDecide(t *testing.T) {
	t.Parallel()
	git := Git{Branches: []string{"main", "feature/a"}, Tags: []string{"v1.2.0"}, Commits: []string{c1},
		CommitDates: map[string]time.Time{c1: days(1)}, TagDates: map[string]time.Time{"v1.2.0": days(1)}}
	unproven := git
	unproven.Unproven = Unproven{Branches: "single-branch", Tags: "no tags", Commits: "shallow"}
	ambiguous := git
	ambiguous.Commits = []string{c1, "8ba9176f99999999999999999999999999999999"}
	none := Policy{GitTagLimit: -1, GitTagExpiryDays: -1, GitCommitLimit: -1, GitCommitExpiryDays: -1}
	tagLimit1 := Policy{GitTagLimit: 1, GitTagExpiryDays: -1, GitCommitLimit: -1, GitCommitExpiryDays: -1}
	expiry := Policy{GitTagLimit: -1, GitTagExpiryDays: 30, GitCommitLimit: -1, GitCommitExpiryDays: 30}
	stale := git // git's dates as old as the images'
	stale.CommitDates = map[string]time.Time{c1: days(400)}
	stale.TagDates = map[string]time.Time{"v1.2.0": days(400)}
	tests := []struct {
		name   string
		items  []Item
		policy Policy
		want   []bool // delete?
		git    *Git   // nil: git
	}{
		{"branches: present ones stay, strict or docker-tag slug", []Item{
			published("git-branch", "main", days(1)),
			published("git-branch", "feature-a-927398f1", days(1)),
			published("git-branch", "feature-a-f1987392", days(1)),
			published("git-branch", "feature-b-00000000", days(1)),
		}, none, []bool{false, false, false, true}, nil},
		{"git tags: strict and docker-tag", []Item{
			published("git-tag", "v1-2-0-bc975707", days(1)),
			published("git-tag", "v1.2.0", days(1)),
			published("git-tag", "v0-9-0-12345678", days(1)),
		}, none, []bool{false, false, true}, nil},
		{"commits: full ids and unique prefixes", []Item{
			published("git-commit", c1, days(1)),
			published("git-commit", c1[:7], days(1)),
			published("git-commit", c2, days(1)),
			published("git-commit", c2[:7], days(1)),
		}, none, []bool{false, false, true, true}, nil},
		{"commits: an ambiguous prefix or a tag that is no commit id is kept", []Item{
			published("git-commit", c1[:7], days(1)),
			published("git-commit", "release", days(1)),
			published("git-commit", "abc", days(1)),
		}, none, []bool{false, false, false}, &ambiguous},
		{"never: custom, foreign, stages, unreadable", []Item{
			published("custom", "latest", days(1)),
			with(published("", "x", days(1)), func(it *Item) { it.Strategy = "" }),
			with(published("git-branch", "gone", days(1)), func(it *Item) { it.LabelErr = errors.New("401") }),
			with(published("", "image-stage-abc", days(1)), func(it *Item) { it.WerfImage = "false" }),
		}, none, []bool{false, false, false, false}, nil},
		{"identity: labels of another reference are kept", []Item{
			with(published("git-branch", "prod", days(1)), func(it *Item) { it.Describes, it.ImageTag = "r.example/app:gone", "gone" }),
			with(published("git-branch", "gone", days(1)), func(it *Item) { it.Describes = "r.example/other:gone" }),
			with(published("git-branch", "gone", days(1)), func(it *Item) { it.ImageTag = "gone-too" }),
			with(published("git-branch", "gone", days(1)), func(it *Item) { it.Describes = "" }),
			with(published("custom", "release", days(1)), func(it *Item) { it.Describes, it.Strategy = "r.example/app:feature-x", "git-branch" }),
		}, none, []bool{false, false, false, false, false}, nil},
		{"identity: Docker Hub's names are one", []Item{
			with(published("git-branch", "gone", days(1)), func(it *Item) {
				it.Ref, it.Describes = "docker.io/team/app:gone", "index.docker.io/team/app:gone"
			}),
		}, none, []bool{true}, nil},
		{"monorepo: werf-image-tag is the tag without the prefix", []Item{
			with(published("git-branch", "backend-gone", days(1)), func(it *Item) { it.Prefix, it.ImageTag = "backend-", "gone" }),
			with(published("git-branch", "backend-gone", days(1)), func(it *Item) { it.Prefix = "backend-" }),
		}, none, []bool{true, false}, nil},
		{"a stage label alone makes no stage", []Item{
			with(published("git-branch", "gone", days(1)), func(it *Item) { it.WerfImage = "false" }),
		}, none, []bool{true}, nil},
		{"unproven facts keep their images", []Item{
			published("git-branch", "feature-b-00000000", days(1)),
			published("git-tag", "v0-9-0-12345678", days(1)),
			published("git-commit", c2, days(1)),
			published("git-commit", c2[:7], days(1)),
		}, none, []bool{false, false, false, false}, &unproven},
		{"git-tag count limit keeps the newest", []Item{
			published("git-tag", "v1.2.0", days(3)),
			published("git-tag", "v1-2-0-bc975707", days(0)),
		}, tagLimit1, []bool{true, false}, &stale},
		{"limits hold per image", []Item{
			with(published("git-tag", "v1.2.0", days(3)), func(it *Item) { it.Image = "backend" }),
			with(published("git-tag", "v1.2.0", days(1)), func(it *Item) { it.Image = "frontend" }),
		}, tagLimit1, []bool{false, false}, nil},
		{"expiry: the youngest of the image's time and git's date", []Item{
			published("git-commit", c1, days(31)),
			published("git-tag", "v1.2.0", days(31)),
		}, expiry, []bool{false, false}, nil},
		{"expiry: both old", []Item{
			published("git-commit", c1, days(31)),
			published("git-tag", "v1.2.0", days(29)),
		}, expiry, []bool{true, false}, &stale},
		{"expiry: no trustworthy time never expires", []Item{
			published("git-commit", c1, time.Time{}),
			published("git-commit", c1[:8], time.Unix(0, 0)),
			published("git-tag", "v1.2.0", now.Add(time.Hour)),
		}, expiry, []bool{false, false, false}, &Git{Tags: git.Tags, Commits: git.Commits}},
		{"count: unknown times take no place", []Item{
			published("git-tag", "v1.2.0", time.Time{}),
			published("git-tag", "v1-2-0-bc975707", days(2)),
		}, tagLimit1, []bool{false, false}, &Git{Tags: git.Tags}},
		{"limits do not touch branches", []Item{
			published("git-branch", "main", days(400)),
		}, Policy{GitTagLimit: 0, GitTagExpiryDays: 0, GitCommitLimit: 0, GitCommitExpiryDays: 0}, []bool{false}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []bool
			g := git
			if tc.git != nil {
				g = *tc.git
			}
			for _, d := range Decide(tc.items, g, tc.policy, now) {
				got = append(got, d.Delete)
				if d.Reason == "" || d.Policy == "" {
					t.Errorf("decision without a reason: %+v", d)
				}
				if !d.Delete && d.Item.Describes != "" && d.Policy == "identity" && !strings.Contains(d.Reason, d.Item.Describes) {
					t.Errorf("identity keep does not name what the labels describe: %q", d.Reason)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("deletions (-want +got):\n%s", diff)
			}
		})
	}
}
