package cleanup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/naming"
)

// TestNewDeleter: each registry gets its own API, from plain inputs, and a
// missing credential is an input error before anything is read.
func TestNewDeleter(t *testing.T) {
	t.Parallel()
	login := &Credentials{Username: "me", Password: "pw"}
	withKeys := cloud.FromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AK", "SK", "")})
	noKeys := cloud.FromConfig(aws.Config{Region: "eu-west-1"})
	tests := []struct {
		name     string
		native   Native
		kind     string // the deleter's type
		inputErr string // or the input a missing credential names
	}{
		{"any other registry: the registry API", Native{Implementation: naming.Default, Host: "r.example.com"}, "cleanup.OCI", ""},
		{"Docker Hub", Native{Implementation: naming.DockerHub, Host: "index.docker.io", Login: login}, "*cleanup.DockerHub", ""},
		{"Docker Hub without a login", Native{Implementation: naming.DockerHub}, "", "--username (SHIPTAG_USERNAME)"},
		{"ghcr.io", Native{Implementation: naming.GitHub, Host: "ghcr.io", Login: login, GitHubAPI: "https://ghe.example.com/api/v3"}, "*cleanup.GitHubPackages", ""},
		{"ghcr.io without a token", Native{Implementation: naming.GitHub, Host: "ghcr.io"}, "", "--username (SHIPTAG_USERNAME)"},
		{"ECR", Native{Implementation: naming.ECR, Host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", AWS: withKeys}, "*cleanup.ECR", ""},
		{"ECR without AWS credentials", Native{Implementation: naming.ECR, Host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", AWS: noKeys}, "", "AWS credentials"},
		{"ECR on a PrivateLink name (--registry-implementation ecr)", Native{Implementation: naming.ECR, Host: "ecr.example.com", AWS: withKeys}, "*cleanup.ECR", ""},
		{"ECR Public", Native{Implementation: naming.ECR, Host: "public.ecr.aws", AWS: withKeys}, "*cleanup.ECR", ""},
		{"ACR", Native{Implementation: naming.ACR, Host: "team.azurecr.io", Login: login}, "cleanup.ACR", ""},
		{"ACR without a login", Native{Implementation: naming.ACR, Host: "team.azurecr.io"}, "", "--username (SHIPTAG_USERNAME)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := NewDeleter(context.Background(), tc.native)
			if tc.inputErr != "" {
				var ie *inputs.Error
				if !errors.As(err, &ie) || ie.Input != tc.inputErr {
					t.Fatalf("NewDeleter = %T, %v; want an error on %s", d, err, tc.inputErr)
				}
				return
			}
			if err != nil || fmt.Sprintf("%T", d) != tc.kind {
				t.Fatalf("NewDeleter = %T, %v; want a %s", d, err, tc.kind)
			}
		})
	}
	d, _ := NewDeleter(context.Background(), Native{Implementation: naming.GitHub, Login: login})
	if api := d.(*GitHubPackages).API; api != "https://api.github.com" {
		t.Errorf("GitHub's API defaults to %q", api)
	}
}

func TestPolicyAndScopes(t *testing.T) {
	t.Parallel()
	for _, p := range []Policy{{GitTagLimit: -2}, {GitTagExpiryDays: -5}, {GitCommitLimit: -2}, {GitCommitExpiryDays: -3}} {
		var ie *inputs.Error
		if err := p.Check(); !errors.As(err, &ie) || !strings.Contains(err.Error(), "use a number from 0 up, or -1") {
			t.Errorf("%+v: error = %v", p, err)
		}
	}
	if err := (Policy{-1, -1, 0, 0}).Check(); err != nil {
		t.Errorf("-1 and 0 are limits: %v", err)
	}
	mono, err := naming.ParseRepo("r.example.com/app", naming.Default, naming.Monorepo, "")
	if err != nil {
		t.Fatal(err)
	}
	scopes, err := ScopesOf(mono, []string{"web", ""})
	want := []Scope{{Image: "web", Repository: "r.example.com/app", Prefix: "web-"}, {Repository: "r.example.com/app"}}
	if err != nil || !cmp.Equal(scopes, want) {
		t.Errorf("monorepo scopes = %+v, %v", scopes, err)
	}
}
