package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/registry"
)

// newRegistryAccess hands the run's registry settings to package registry
// and masks the secrets of its logins on the platform.
func newRegistryAccess(ctx context.Context, e *runEnv, cfg *config.Config, pf platform.Platform, hosts []string, password string) (*registry.Access, error) {
	o := registry.Options{Username: cfg.Username, Password: password, Hosts: hosts, Insecure: cfg.InsecureRegistry,
		ConfigDir: registry.ConfigDir(cfg.DockerConfig, e.vars.DockerConfig, e.vars.Home),
		Timeout:   time.Duration(cfg.Timeout), UserAgent: "shiptag/" + buildVersion()}
	if l := pf.Facts().Login; l != nil {
		o.PlatformLogin, o.PlatformFrom = &registry.Login{Registry: l.Registry, Username: l.Username, Password: l.Password}, l.From
	}
	access, err := registry.New(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, secret := range access.Secrets() {
		pf.Mask(secret)
	}
	return access, nil
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
