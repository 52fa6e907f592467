package cleanup

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/naming"
)

// Native says how cleanup reaches a registry, from plain values the
// caller read: nothing here reads the environment.
type Native struct {
	// Implementation and Host are the images repo's registry.
	Implementation naming.Implementation
	Host           string
	// Login is shiptag's own login for Host, if it has one.
	Login *Credentials
	// GitHubAPI is GITHUB_API_URL ("" for https://api.github.com);
	// DockerHubAPI is Docker Hub's ("" for https://hub.docker.com).
	GitHubAPI, DockerHubAPI string
	// AWS is the run's AWS configuration, for ECR's API.
	AWS *cloud.AWS
	// Client carries every request, over the run's transport.
	Client *http.Client
	// OCI is the registry API, for registries that delete through it.
	OCI OCI
}

// Credentials are a user (or token name) and its password or token.
type Credentials struct{ Username, Password string }

// NewDeleter picks how cleanup deletes on the registry: the registry API,
// or the native API of a registry that refuses it, with that API's
// credentials checked before anything is read.
func NewDeleter(ctx context.Context, n Native) (Deleter, error) {
	switch n.Implementation {
	case naming.DockerHub:
		if n.Login == nil {
			return nil, inputs.Errorf("username", "deleting on Docker Hub goes through its API, which needs a login: "+
				"pass --username and the password or a personal access token in %s (or --password-stdin)", inputs.Password)
		}
		return &DockerHub{Username: n.Login.Username, Password: n.Login.Password, API: or(n.DockerHubAPI, "https://hub.docker.com"), Client: n.Client}, nil
	case naming.GitHub:
		if n.Login == nil {
			return nil, inputs.Errorf("username", "deleting on %s goes through GitHub's packages API, which needs a token with "+
				"delete:packages: set GITHUB_TOKEN (the Action's github-token input) or pass --username and %s", n.Host, inputs.Password)
		}
		return &GitHubPackages{Token: n.Login.Password, API: or(n.GitHubAPI, "https://api.github.com"), Client: n.Client}, nil
	case naming.ECR:
		if n.AWS == nil {
			return nil, fmt.Errorf("deleting on %s goes through ECR's BatchDeleteImage, which needs the AWS configuration", n.Host)
		}
		d, err := NewECR(ctx, n.Host, n.AWS)
		if err != nil {
			variable := "AWS_REGION"
			if errors.Is(err, cloud.ErrNoCredentials) {
				variable = "AWS credentials"
			}
			return nil, inputs.Variablef(variable, "deleting on %s goes through ECR's BatchDeleteImage: %w", n.Host, err)
		}
		return d, nil
	case naming.ACR:
		if n.Login == nil {
			return nil, inputs.Errorf("username", "deleting on %s goes through its API, which needs a login: pass --username "+
				"(the admin user, a service principal or a token's name) and %s", n.Host, inputs.Password)
		}
		return ACR{Username: n.Login.Username, Password: n.Login.Password, API: "https://" + n.Host, Client: n.Client, Manifest: n.OCI}, nil
	}
	return n.OCI, nil
}

// or is value, or fallback when value is empty.
func or(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
