package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/naming"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/registry"
)

// newRegistryAccess hands the run's registry settings to package registry
// and masks the secrets of its logins on the platform.
func newRegistryAccess(ctx context.Context, e *runEnv, cfg *config.Config, pf platform.Platform, hosts []string, password string, jobs int) (*registry.Access, *cloud.Keychain, error) {
	clouds := cloud.New(cloud.Options{KindOf: registryKindOf(cfg, pf.Facts().Registry), Timeout: time.Duration(cfg.Timeout)})
	o := registry.Options{Username: cfg.Username, Password: password, Hosts: hosts, Insecure: cfg.InsecureRegistry,
		ConfigDir: registry.ConfigDir(cfg.DockerConfig, e.vars.DockerConfig, e.vars.Home),
		Timeout:   time.Duration(cfg.Timeout), UserAgent: "shiptag/" + buildVersion(), Cloud: clouds, Jobs: jobs}
	if l := pf.Facts().Login; l != nil {
		o.PlatformLogin, o.PlatformFrom = &registry.Login{Registry: l.Registry, Username: l.Username, Password: l.Password}, l.From
	}
	access, err := registry.New(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	// The AWS SDK reads its keys from the environment itself; they are
	// masked all the same, as shiptag's own logins are.
	for _, secret := range append(access.Secrets(), e.vars.AWSSecretAccessKey, e.vars.AWSSessionToken) {
		pf.Mask(secret)
	}
	return access, clouds, nil
}

// registryKindOf names a registry host's implementation for the cloud keychain: the
// detected one, or --registry-implementation for the images repo's host
// (ECR behind a PrivateLink name or a proxy, for example).
func registryKindOf(cfg *config.Config, ciRegistry string) func(string) naming.Implementation {
	forced, err := naming.ParseImplementation(cfg.RegistryImplementation)
	repoHost, _, _ := strings.Cut(cfg.Repo, "/")
	return func(host string) naming.Implementation {
		if err == nil && forced != naming.Auto && strings.EqualFold(host, repoHost) {
			return forced
		}
		return naming.Detect(host, ciRegistry)
	}
}

// readPassword returns SHIPTAG_PASSWORD, or standard input with --password-stdin.
func readPassword(e *runEnv, fromStdin bool, variable string) (string, error) {
	if !fromStdin {
		return variable, nil
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}
