package publish

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// lookupFunc resolves a host name, as net.Resolver.LookupNetIP does.
type lookupFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

// sameHostOrPublic refuses a redirect of blob data that publicOrHome
// refuses.
func sameHostOrPublic(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("stopped after 10 redirects")
	}
	return publicOrHome(req.Context(), net.DefaultResolver.LookupNetIP, via[0].URL.Hostname(), req.URL.Hostname())
}

// publicOrHome allows blob data that the registry on host sends on (an
// upload's location, a redirect) to go to to: the registry's own host, a
// public address or a name (signed S3 or GCS storage), or, for a registry
// that is itself on a private network, another private address (the base
// URL a self-hosted Artifactory or Nexus is configured with); loopback only
// from a registry on loopback. A registry cannot send the runner's data to
// its link-local addresses (cloud metadata) or, from a public address, into
// the runner's network.
func publicOrHome(ctx context.Context, lookup lookupFunc, host, to string) error {
	if strings.EqualFold(to, host) {
		return nil
	}
	ip, err := netip.ParseAddr(to)
	ip = ip.Unmap()
	switch {
	case err != nil:
		return nil // a name, such as a bucket's
	case ip.IsLinkLocalUnicast() || ip.IsUnspecified():
	case ip.IsLoopback():
		if addressesOf(ctx, lookup, host, netip.Addr.IsLoopback) {
			return nil
		}
	case ip.IsPrivate():
		if addressesOf(ctx, lookup, host, func(a netip.Addr) bool { return a.IsPrivate() || a.IsLoopback() }) {
			return nil
		}
	default:
		return nil // a public address
	}
	return fmt.Errorf("the registry %s sent blob data to %s, a link-local, loopback or private address it is not on itself: refused "+
		"(a registry's upload locations come from its configured external URL: check that it names the registry)", host, to)
}

// addressesOf reports whether host (an address, localhost, or a name it
// resolves) has only addresses that in accepts; a name that does not
// resolve has none, so it is refused.
func addressesOf(ctx context.Context, lookup lookupFunc, host string, in func(netip.Addr) bool) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return in(ip.Unmap())
	}
	if strings.EqualFold(host, "localhost") {
		return in(netip.MustParseAddr("127.0.0.1"))
	}
	addrs, err := lookup(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !in(a.Unmap()) {
			return false
		}
	}
	return true
}
