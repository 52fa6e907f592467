package main

import (
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/auth"
	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/cleanup"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/naming"
)

// deleterFor picks how cleanup deletes on the repo's registry: the
// registry API, or the native API of a registry that refuses it, with that
// API's credentials checked before anything is read.
func deleterFor(e *runEnv, facts ci.Facts, repo naming.Repo, access *registryAccess, oci cleanup.OCI) (cleanup.Deleter, error) {
	client := access.http.Client()
	host := repo.Host
	if host == "" {
		host = name.DefaultRegistry
	}
	login, hasLogin := access.loginFor(host)
	switch repo.Implementation {
	case naming.DockerHub:
		if !hasLogin {
			return nil, config.Errorf("username", "deleting on Docker Hub goes through its API, which needs a login: "+
				"pass --username and the password or a personal access token in %sPASSWORD (or --password-stdin)", config.EnvPrefix)
		}
		return &cleanup.DockerHub{Username: login.Username, Password: login.Password, API: "https://hub.docker.com", Client: client}, nil
	case naming.GitHub:
		if !hasLogin {
			return nil, config.Errorf("username", "deleting on %s goes through GitHub's packages API, which needs a token with "+
				"delete:packages: set GITHUB_TOKEN (the Action's github-token input) or pass --username and %sPASSWORD", host, config.EnvPrefix)
		}
		api := e.getenv("GITHUB_API_URL")
		if api == "" {
			api = "https://api.github.com"
		}
		return &cleanup.GitHubPackages{Token: login.Password, API: api, Client: client}, nil
	case naming.ECR:
		return ecrDeleter(e, facts, host, client)
	case naming.ACR:
		if !hasLogin {
			return nil, config.Errorf("username", "deleting on %s goes through its API, which needs a login: pass --username "+
				"(the admin user, a service principal or a token's name) and %sPASSWORD", host, config.EnvPrefix)
		}
		return cleanup.ACR{Username: login.Username, Password: login.Password, API: "https://" + host, Client: client, Manifest: oci}, nil
	}
	return oci, nil
}

// ecrDeleter signs with the AWS variables, which it masks on GitHub.
func ecrDeleter(e *runEnv, facts ci.Facts, host string, client *http.Client) (cleanup.Deleter, error) {
	c := cleanup.AWSCredentials{AccessKeyID: e.getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: e.getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: e.getenv("AWS_SESSION_TOKEN")}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return nil, &config.InputError{Input: "AWS_ACCESS_KEY_ID", Err: fmt.Errorf("deleting on %s goes through ECR's BatchDeleteImage, "+
			"which needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), "+
			"e.g. from aws-actions/configure-aws-credentials", host)}
	}
	if facts.Platform == ci.GitHub {
		gh := githubactions.New(githubactions.WithWriter(e.stderr), githubactions.WithGetenv(e.getenv))
		gh.AddMask(c.SecretAccessKey)
		if c.SessionToken != "" {
			gh.AddMask(c.SessionToken)
		}
	}
	d, err := cleanup.NewECR(host, c, client)
	if err != nil {
		return nil, config.Errorf("repo", "%v", err)
	}
	return d, nil
}

// loginFor returns shiptag's own login (the CI platform's or --username)
// for a registry host.
func (r *registryAccess) loginFor(host string) (auth.Login, bool) {
	for _, l := range r.logins {
		reg := l.Registry
		if parsed, err := name.NewRegistry(reg); err == nil {
			reg = parsed.RegistryStr()
		}
		if reg == host {
			return l, true
		}
	}
	return auth.Login{}, false
}
