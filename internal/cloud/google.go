package cloud

import (
	"context"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/google"
)

// googleAuth is go-containerregistry's Google login, the one ko and crane
// use: application default credentials first (GOOGLE_APPLICATION_CREDENTIALS
// with a service-account key or a workload identity federation config, as
// google-github-actions/auth writes it, then the metadata server), gcloud
// after. Without any it is anonymous, which public images allow.
func googleAuth(ctx context.Context) (authn.Authenticator, error) {
	if auth, err := google.NewEnvAuthenticator(ctx); err == nil && auth != authn.Anonymous {
		return auth, nil
	}
	if auth, err := google.NewGcloudAuthenticator(ctx); err == nil && auth != authn.Anonymous {
		return auth, nil
	}
	return authn.Anonymous, nil
}
