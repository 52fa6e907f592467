package requests

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Backoff is the one retry schedule: five tries, 0.25 s to 2 s apart, so a
// fault costs seconds and a signal during a wait is honoured within 2 s.
var Backoff = remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 5}

// RetryStatusCodes are the answers that say "try again": timeouts, rate
// limits and server errors, with nginx's 499 and Cloudflare's 522.
var RetryStatusCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, 499, 522}

// Retryable reports whether a request that failed with err is worth another
// try: a retryable status, a connection dropped or reset, or a stall the
// transport could not try again itself (an upload whose body streams, which
// go-containerregistry then sends whole once more). A stall the transport
// already tried twice is not, so a silent registry fails in bounded time;
// nor is the run's end.
func Retryable(err error) bool {
	var stall *StallError
	var status *transport.Error
	switch {
	case errors.As(err, &stall):
		return stall.Tries < 2
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &status):
		return slices.Contains(RetryStatusCodes, status.StatusCode) || status.Temporary()
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}

// RemoteOptions gives go-containerregistry this transport and the one
// policy, both for its per-request retries and for its retries of whole
// uploads (whose bodies cannot be sent twice by the transport).
func (t *Transport) RemoteOptions() []remote.Option {
	return []remote.Option{
		remote.WithTransport(t),
		remote.WithRetryBackoff(Backoff),
		remote.WithRetryPredicate(Retryable),
		remote.WithRetryStatusCodes(RetryStatusCodes...),
		remote.WithUserAgent(t.opts.UserAgent),
	}
}

// Retrying is the transport with the policy, for the requests that do not
// go through go-containerregistry's remote package: the pre-flight push
// check and the native cleanup APIs. It is go-containerregistry's own retry
// transport, with the same schedule, predicate and status codes.
func (t *Transport) Retrying() http.RoundTripper {
	return transport.NewRetry(t, transport.WithRetryBackoff(Backoff), transport.WithRetryPredicate(Retryable),
		transport.WithRetryStatusCodes(RetryStatusCodes...))
}

// Client is an HTTP client over Retrying, for the native APIs.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t.Retrying()} }
