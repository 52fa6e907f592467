// Package cloud turns a cloud's ambient identity into registry credentials,
// each through that cloud's own library, so that a CI job logged in to its
// cloud by OIDC (or running with an instance, pod or managed identity) needs
// no registry password: ECR through the AWS SDK for Go v2's default
// credential chain, GCR and Artifact Registry through go-containerregistry's
// Google authenticators (application default credentials, the metadata
// server, gcloud), ACR through the Azure identity library's default
// credential and ACR's token exchange.
//
// The libraries read their own documented variables (AWS_*, GOOGLE_*,
// AZURE_*) and files; that is the one place where shiptag lets code other
// than run read the environment, since these chains are the clouds' contract
// with their CI integrations.
package cloud

import (
	"context"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/shiptag/shiptag/internal/naming"
)

// Options say which registries are whose, and how long a token request may
// take.
type Options struct {
	// KindOf names a registry host's implementation: the detected one, or
	// --registry-implementation for the run's own registry (a PrivateLink
	// host or a proxy in front of ECR, for example).
	KindOf func(host string) naming.Implementation
	// Timeout bounds each request to a cloud's identity or token service.
	Timeout time.Duration
	// AWS is the AWS configuration to use (nil: the SDK's default, loaded
	// when an ECR registry first needs it).
	AWS *AWS
}

// Keychain answers for ECR, GCR/Artifact Registry and ACR hosts with the
// cloud's credentials, and with anonymous for every other host, so that it
// goes last in a multi-keychain. Each registry's credentials are made once
// per run; a failure is remembered and returned for that registry only.
type Keychain struct {
	opts  Options
	mu    sync.Mutex
	cache map[string]*entry
	aws   *AWS
}

type entry struct {
	once sync.Once
	auth authn.Authenticator
	err  error
}

// New returns the cloud keychain; it asks no cloud anything until a
// registry of that cloud needs credentials.
func New(o Options) *Keychain {
	aws := o.AWS
	if aws == nil {
		aws = NewAWS(o.Timeout)
	}
	return &Keychain{opts: o, cache: map[string]*entry{}, aws: aws}
}

// AWS is the keychain's AWS configuration, shared with cleanup's ECR client.
func (k *Keychain) AWS() *AWS { return k.aws }

// Resolve implements authn.Keychain.
func (k *Keychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), target)
}

// ResolveContext implements authn.ContextKeychain.
func (k *Keychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	host := target.RegistryStr()
	var login func(context.Context) (authn.Authenticator, error)
	switch k.opts.KindOf(host) {
	case naming.ECR:
		login = func(ctx context.Context) (authn.Authenticator, error) { return k.aws.RegistryAuth(ctx, host) }
	case naming.GCR:
		login = googleAuth
	case naming.ACR:
		login = func(ctx context.Context) (authn.Authenticator, error) {
			return azureAuth(ctx, host, nil, k.opts.Timeout)
		}
	default:
		return authn.Anonymous, nil
	}
	k.mu.Lock()
	e, ok := k.cache[host]
	if !ok {
		e = &entry{}
		k.cache[host] = e
	}
	k.mu.Unlock()
	e.once.Do(func() { e.auth, e.err = login(ctx) })
	return e.auth, e.err
}
