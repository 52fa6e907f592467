package naming

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/inputs"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host, ciRegistry string
		want             Implementation
	}{
		{"", "", DockerHub},
		{"docker.io", "", DockerHub},
		{"index.docker.io", "", DockerHub},
		{"registry.hub.docker.com", "", DockerHub},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", "", ECR},
		{"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "", ECR},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "", ECR},
		{"123456789012.dkr-ecr.eu-west-1.on.aws", "", ECR},
		{"123456789012.dkr-ecr-fips.us-east-1.on.aws", "", ECR},
		{"123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", "", ECR},
		{"public.ecr.aws", "", ECR},
		{"12345.dkr.ecr.eu-west-1.amazonaws.com", "", Default},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", "", Default},
		{"myreg.azurecr.io", "", ACR},
		{"gcr.io", "", GCR},
		{"eu.gcr.io", "", GCR},
		{"europe-west1-docker.pkg.dev", "", GCR},
		{"ghcr.io", "", GitHub},
		{"registry.gitlab.com", "", GitLab},
		{"gitlab.example.com:5050", "gitlab.example.com:5050", GitLab},
		{"harbor.example.com", "", Harbor},
		{"quay.io", "", Quay},
		{"registry.hello.com", "", Default},
		{"127.0.0.1:5000", "", Default},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			if got := Detect(tc.host, tc.ciRegistry); got != tc.want {
				t.Errorf("Detect(%q, %q) = %q, want %q", tc.host, tc.ciRegistry, got, tc.want)
			}
		})
	}
}

func TestAutoMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		repo string
		want Mode
	}{
		{"account", Multirepo},
		{"account/repo", Monorepo},
		{"docker.io/account/repo", Monorepo},
		{"ghcr.io/owner/project", Multirepo},
		{"ghcr.io/owner/project/deeper", Monorepo},
		{"ghcr.io/owner", Multirepo},
		{"quay.io/account", Multirepo},
		{"quay.io/account/repo", Monorepo},
		{"registry.hello.com/web/core/system", Multirepo},
		{"registry.hello.com/web/core/system/", Multirepo},
		{"localhost:5000/app", Multirepo},
	}
	for _, tc := range tests {
		t.Run(tc.repo, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRepo(tc.repo, Auto, AutoMode, "")
			if err != nil {
				t.Fatal(err)
			}
			if r.Mode != tc.want {
				t.Errorf("ParseRepo(%q).Mode = %q, want %q", tc.repo, r.Mode, tc.want)
			}
			if strings.HasSuffix(r.Name, "/") {
				t.Errorf("Name %q keeps the trailing slash", r.Name)
			}
		})
	}
}

func TestParseRepoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, repo string
		impl       Implementation
		mode       Mode
		input      string // the setting the error must name
		contains   []string
	}{
		{"empty", "", Auto, AutoMode, "--repo", []string{"pass --repo"}},
		{"uppercase", "registry.example.com/Team/app", Auto, AutoMode, "--repo", []string{`"registry.example.com/Team/app"`, `"Team"`}},
		{"space", "registry.example.com/a b", Auto, AutoMode, "--repo", []string{"not a valid repository"}},
		{"capitals alone: the lowercase name", "ghcr.io/Octo/App", Auto, AutoMode, "--repo", []string{`"Octo"`, "write --repo ghcr.io/octo/app"}},
		{"a URL", "https://registry.example.com/app", Auto, AutoMode, "--repo", []string{"URL scheme (https://)", "write --repo registry.example.com/app"}},
		{"double slash", "registry.example.com//app", Auto, AutoMode, "--repo", []string{`path level ""`}},
		{"registry only", "registry.example.com/", Auto, AutoMode, "--repo", []string{"no repository"}},
		{"docker hub too deep", "docker.io/a/b/c", Auto, AutoMode, "--repo", []string{"exactly two", "--repo docker.io/a/b"}},
		{"docker hub account with monorepo", "account", Auto, Monorepo, "--repo-mode", []string{`"account:NAME-TAG"`, "--repo-mode multirepo", "--repo account/NAME"}},
		{"docker hub repo with multirepo", "account/app", Auto, Multirepo, "--repo-mode", []string{`"account/app/NAME"`, "--repo-mode monorepo", "--repo account"}},
		{"quay repo with multirepo", "quay.io/org/app", Auto, Multirepo, "--repo-mode", []string{"Quay", "--repo quay.io/org"}},
		{"ghcr owner with monorepo", "ghcr.io/owner", Auto, Monorepo, "--repo-mode", []string{"GitHub Packages account"}},
		{"forced implementation", "registry.example.com/acct", DockerHub, Monorepo, "--repo-mode", []string{"Docker Hub account"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRepo(tc.repo, tc.impl, tc.mode, "")
			var ie *inputs.Error
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.Input, tc.input) {
				t.Fatalf("error = %v, want an input error naming %s", err, tc.input)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, repo  string
		mode        Mode
		image, tag  string
		repository  string
		ref, errHas string
	}{
		{"multirepo named", "registry.hello.com/web/core/system", AutoMode, "backend", "v1.2.0",
			"registry.hello.com/web/core/system/backend", "registry.hello.com/web/core/system/backend:v1.2.0", ""},
		{"multirepo nameless", "registry.hello.com/web/core/queue", AutoMode, "", "v2-3-1-5cb8b0a4",
			"registry.hello.com/web/core/queue", "registry.hello.com/web/core/queue:v2-3-1-5cb8b0a4", ""},
		{"monorepo named", "registry.hello.com/web/core/system", Monorepo, "backend", "v1.2.0",
			"registry.hello.com/web/core/system", "registry.hello.com/web/core/system:backend-v1.2.0", ""},
		{"monorepo nameless", "account/app", AutoMode, "", "main", "account/app", "account/app:main", ""},
		{"docker hub account multirepo", "account", AutoMode, "web", "main", "account/web", "account/web:main", ""},
		{"nested image name", "registry.example.com/team", AutoMode, "svc/api", "main",
			"registry.example.com/team/svc/api", "registry.example.com/team/svc/api:main", ""},
		{"uppercase image in multirepo", "registry.example.com/team", AutoMode, "Backend", "x", "", "", `"Backend" cannot be a repository name`},
		{"slash in monorepo image", "registry.example.com/team", Monorepo, "a/b", "x", "", "", `"a/b" cannot start a monorepo tag`},
		{"monorepo tag too long", "registry.example.com/team", Monorepo, strings.Repeat("i", 60), strings.Repeat("t", 70), "registry.example.com/team", "", "longer than 128"},
		{"nameless at a docker hub account", "account", AutoMode, "", "main", "", "", "give the image a name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRepo(tc.repo, Auto, tc.mode, "")
			if err != nil {
				t.Fatal(err)
			}
			repository, rerr := r.Repository(tc.image)
			ref, err := r.Ref(tc.image, tc.tag)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Ref error = %v, want one containing %q", err, tc.errHas)
				}
				return
			}
			if rerr != nil || err != nil {
				t.Fatalf("Repository: %v, Ref: %v", rerr, err)
			}
			if diff := cmp.Diff([]string{tc.repository, tc.ref}, []string{repository, ref}); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzRef checks that no repo, image name or tag makes naming panic, and that
// whatever it accepts is a reference go-containerregistry parses back to the
// same repository and a tag of at most 128 bytes.
func FuzzRef(f *testing.F) {
	f.Add("registry.hello.com/web/core/system", "backend", "v1.2.0", false)
	f.Add("account", "web", "main", true)
	f.Add("ghcr.io/Owner/x", "", "t", false)
	f.Add("localhost:5000/a", "a/b", "-x", true)
	f.Fuzz(func(t *testing.T, repo, image, tag string, mono bool) {
		mode := AutoMode
		if mono {
			mode = Monorepo
		}
		r, err := ParseRepo(repo, Auto, mode, "")
		if err != nil {
			return
		}
		ref, err := r.Ref(image, tag)
		if err != nil {
			return
		}
		parsed, err := name.NewTag(ref)
		if err != nil {
			t.Fatalf("Ref(%q, %q) on %q = %q, which does not parse: %v", image, tag, repo, ref, err)
		}
		if len(parsed.TagStr()) > 128 || parsed.TagStr() == "" {
			t.Fatalf("Ref gave tag %q", parsed.TagStr())
		}
		repository, _ := r.Repository(image)
		if !strings.HasPrefix(ref, repository+":") {
			t.Fatalf("Ref %q is not in repository %q", ref, repository)
		}
	})
}

func TestParseECRHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want ECRHost
		ok   bool
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "eu-west-1"}, true},
		{"123456789012.DKR.ECR.eu-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "eu-west-1"}, true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "us-gov-west-1", FIPS: true}, true},
		{"123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn", ECRHost{Account: "123456789012", Region: "cn-northwest-1"}, true},
		{"123456789012.dkr-ecr.ap-south-1.on.aws", ECRHost{Account: "123456789012", Region: "ap-south-1", DualStack: true}, true},
		{"123456789012.dkr-ecr-fips.us-east-2.on.aws", ECRHost{Account: "123456789012", Region: "us-east-2", FIPS: true, DualStack: true}, true},
		{"123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", ECRHost{Account: "123456789012", Region: "cn-north-1", DualStack: true}, true},
		{"public.ecr.aws", ECRHost{Region: "us-east-1", Public: true}, true},
		{"ecr.aws", ECRHost{}, false},
		{"123456789012.dkr.ecr.eu-west-1.on.aws", ECRHost{}, false},
		{"gcr.io", ECRHost{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseECRHost(tc.host)
			if ok != tc.ok {
				t.Fatalf("ParseECRHost(%q) ok = %v, want %v", tc.host, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseECRHost(%q) (-want +got):\n%s", tc.host, diff)
			}
		})
	}
}
