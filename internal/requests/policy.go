package requests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Backoff is the one retry schedule: five tries, 0.25 s to 2 s apart (a
// registry's Retry-After, up to 10 s, wins), so a fault costs seconds and a
// signal during a wait is honoured at once.
var Backoff = remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 5}

// UploadBackoff is the schedule for what go-containerregistry sends whole
// again: a blob upload (its existence check, start, body and commit) or a
// manifest. An upload attempt holds two requests that cannot be resent
// alone, so it gets more tries, about 8 s in all, for the same odds of
// success as one request under Backoff.
var UploadBackoff = remote.Backoff{Duration: 250 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 8}

// maxRetryAfter bounds how long a Retry-After header can make a retry wait.
const maxRetryAfter = 10 * time.Second

// RetryStatusCodes are the answers that say "try again": timeouts, rate
// limits and server errors, with nginx's 499 and Cloudflare's 522.
var RetryStatusCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, 499, 522}

// transient reports whether an attempt's outcome is worth another try.
func transient(resp *http.Response, err error) bool {
	if err != nil {
		return retryableError(err)
	}
	return slices.Contains(RetryStatusCodes, resp.StatusCode)
}

// retryableError: a connection dropped or reset, or a stall from a host
// that has not gone silent; never the run's end.
func retryableError(err error) bool {
	var stall *StallError
	switch {
	case errors.As(err, &stall):
		return !stall.Silent()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}

// triedKey marks, in an answer's request, that the transport has already
// spent the policy's tries on it.
type triedKey struct{}

// TriedError is a fault the transport already retried as far as the policy
// goes: nothing above it should try again.
type TriedError struct {
	Tries int
	Err   error
}

// Error adds the number of tries.
func (e *TriedError) Error() string { return fmt.Sprintf("%v (%d tries)", e.Err, e.Tries) }

// Unwrap returns the last try's error.
func (e *TriedError) Unwrap() error { return e.Err }

// markTried marks the final outcome of a request the transport retried.
func markTried(resp *http.Response, err error, tries int) (*http.Response, error) {
	if err != nil {
		if tries > 1 || retryableError(err) {
			err = &TriedError{Tries: tries, Err: err}
		}
		return nil, err
	}
	if resp.Request != nil {
		resp.Request = resp.Request.WithContext(context.WithValue(resp.Request.Context(), triedKey{}, tries))
	}
	return resp, nil
}

// Retryable is the policy for the layers above the transport: it says
// whether go-containerregistry should send again what failed with err (a
// whole blob upload, a manifest). What the transport already retried is
// not; a retryable status, a dropped connection, or a stall from a host
// that has not gone silent is.
func Retryable(err error) bool {
	var tried *TriedError
	var status *transport.Error
	switch {
	case errors.As(err, &tried):
		return false
	case errors.As(err, &status):
		if status.Request != nil && status.Request.Context().Value(triedKey{}) != nil {
			return false
		}
		return slices.Contains(RetryStatusCodes, status.StatusCode) || status.Temporary()
	}
	return retryableError(err)
}

// jitter spreads a delay by the policy's jitter, so parallel retries do not
// land together.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Float64()*Backoff.Jitter*float64(d))
}

// retryAfter is an answer's Retry-After in seconds, bounded; 0 for none.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		return 0
	}
	return min(time.Duration(secs)*time.Second, maxRetryAfter)
}

// RemoteOptions gives go-containerregistry this transport and the policy
// for what only it can send again (whole uploads, manifests).
func (t *Transport) RemoteOptions() []remote.Option {
	return []remote.Option{
		remote.WithTransport(t),
		remote.WithRetryBackoff(UploadBackoff),
		remote.WithRetryPredicate(Retryable),
		remote.WithRetryStatusCodes(RetryStatusCodes...),
		remote.WithUserAgent(t.opts.UserAgent),
	}
}

// Client is an HTTP client over the transport, for the native APIs.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// IsStatus reports whether err is a registry's answer with one of codes.
func IsStatus(err error, codes ...int) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && slices.Contains(codes, terr.StatusCode)
}

// Again runs try, and again after a fault Retryable allows, by schedule,
// until it succeeds, the schedule's steps are spent or ctx ends: for a
// sequence of requests that is sent whole again (a blob upload of shiptag's
// own), as go-containerregistry does with its own.
func Again(ctx context.Context, schedule remote.Backoff, try func() error) error {
	delay := schedule.Duration
	for step := 1; ; step++ {
		err := try()
		if err == nil || step >= schedule.Steps || !Retryable(err) {
			return err
		}
		wait := delay + time.Duration(rand.Float64()*schedule.Jitter*float64(delay))
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (after: %w)", ctx.Err(), err)
		}
		delay = time.Duration(float64(delay) * schedule.Factor)
	}
}
