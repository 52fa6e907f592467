package requests

import (
	"crypto/x509"
	"sync"
)

// loadRoots starts reading the system's trusted certificates in the
// background, once per process. Go reads them on the first certificate it
// verifies, that is in the middle of the first TLS handshake, after the
// server's answer is in: on a CI runner's /etc/ssl/certs that is about
// 13 ms (measured here, 150 certificates) in the critical path of every
// run. Started with the transport, the read overlaps the sources, the TCP
// connect and the first round trip of TLS; a handshake that comes sooner
// waits for the same read, so nothing is read twice.
var loadRoots = sync.OnceFunc(func() {
	go func() { _, _ = x509.SystemCertPool() }()
})
