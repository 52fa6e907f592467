// Package requests is how every HTTP request of a run goes out: registry
// reads and writes, the pre-flight push checks, pings, token fetches and
// the native cleanup APIs. One transport gives them the same TLS settings,
// the same bound on how long a server may stay silent, and the run's end
// (a signal) as their end; one policy retries their transient faults.
package requests

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Options are the settings of a run's transport.
type Options struct {
	// Timeout is how long a server may stay silent: to the first byte of
	// an answer, while taking a request body, or between bytes of an answer.
	Timeout time.Duration
	// Insecure lists the hosts (HOST:PORT as in a URL) whose TLS
	// certificate is not verified.
	Insecure map[string]bool
	// UserAgent is sent with every request that has none.
	UserAgent string
}

// Transport is the base http.RoundTripper of a run. A request that a
// server leaves unanswered for the timeout fails with a *StallError, after
// one more try when its body can be sent again; every request ends when the
// run's context does.
type Transport struct {
	run      context.Context
	opts     Options
	secure   http.RoundTripper
	insecure http.RoundTripper
}

// New returns the transport of a run that ends with ctx.
func New(ctx context.Context, o Options) *Transport {
	secure := http.DefaultTransport.(*http.Transport).Clone()
	t := &Transport{run: ctx, opts: o, secure: secure}
	if len(o.Insecure) > 0 {
		insecure := secure.Clone()
		insecure.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user named these hosts
		t.insecure = insecure
	}
	return t
}

// StallError is a request the server stopped answering.
type StallError struct {
	Method, Host string
	Wait         time.Duration
	Tries        int
}

// Error names the server and the wait, and the setting that bounds it.
func (e *StallError) Error() string {
	tries := ""
	if e.Tries > 1 {
		tries = fmt.Sprintf(", %d tries", e.Tries)
	}
	return fmt.Sprintf("%s request to %s: no answer for %s%s (raise --timeout if the registry is only slow)",
		e.Method, e.Host, e.Wait, tries)
}

// RoundTrip sends one request; a stalled one is tried once more when that
// is safe to do here (see resendable).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.attempt(req)
	var stall *StallError
	if errors.As(err, &stall) && resendable(req) {
		if resp, err = t.attempt(req); errors.As(err, &stall) {
			stall.Tries = 2
		}
	}
	return resp, err
}

// resendable reports whether a stalled request may be sent again as it is:
// reads, deletes (a second delete finds the thing gone) and POSTs whose body
// can be had again (a second upload session is harmless). A PUT or PATCH
// may have taken effect before the silence (a blob upload committed), so
// the layer above, which checks what exists before it writes again, retries
// those.
func resendable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return true
	case http.MethodPost:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}

// attempt sends req once, watched.
func (t *Transport) attempt(req *http.Request) (*http.Response, error) {
	if err := t.run.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, context.Cause(t.run))
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stopRun := context.AfterFunc(t.run, func() { cancel(context.Cause(t.run)) })
	done := func() { stopRun(); cancel(nil) }
	w := newWatch(t.opts.Timeout, func() {
		cancel(&StallError{Method: req.Method, Host: req.URL.Host, Wait: t.opts.Timeout, Tries: 1})
	})
	out, err := t.prepare(req, ctx, w)
	if err != nil {
		done()
		return nil, err
	}
	w.arm()
	resp, err := t.pick(req.URL.Host).RoundTrip(out)
	w.answered()
	if err != nil {
		err = causeOf(ctx, err)
		done()
		return nil, err
	}
	body := &watchedBody{ReadCloser: resp.Body, ctx: ctx, watch: w, done: sync.OnceFunc(done)}
	resp.Body = body
	if resendable(req) {
		// A small answer (a manifest, a tag list, a config, a token) is read
		// here, so that a stall in its body is tried again like any other.
		if resp.Body, err = prefetch(body, prefetchLimit); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// prefetchLimit is the most of an answer's body prefetch holds in memory.
const prefetchLimit = 1 << 20

// prefetch reads up to limit bytes of body: a body that ends within them is
// returned in memory and closed; a longer one streams on after them.
func prefetch(body io.ReadCloser, limit int64) (io.ReadCloser, error) {
	head, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		body.Close()
		return nil, err
	}
	if int64(len(head)) <= limit {
		body.Close()
		return io.NopCloser(bytes.NewReader(head)), nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), body), body}, nil
}

// prepare copies req onto ctx, with a fresh body where it can be had (a
// retry sends it whole again) and the body watched: the server taking no
// byte of it for the timeout is a stall too.
func (t *Transport) prepare(req *http.Request, ctx context.Context, w *watch) (*http.Request, error) {
	out := req.Clone(ctx)
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("%s %s: rewinding the request body: %w", req.Method, req.URL.Host, err)
		}
		_ = req.Body.Close()
		out.Body = body
	}
	if out.Body != nil && out.Body != http.NoBody {
		out.Body = &sentBody{ReadCloser: out.Body, watch: w}
	}
	if out.Header.Get("User-Agent") == "" && t.opts.UserAgent != "" {
		out.Header.Set("User-Agent", t.opts.UserAgent)
	}
	return out, nil
}

func (t *Transport) pick(host string) http.RoundTripper {
	if t.insecure != nil && t.opts.Insecure[host] {
		return t.insecure
	}
	return t.secure
}

// causeOf replaces a cancellation by its cause: the stall, or the signal
// that ended the run.
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, err) {
		var stall *StallError
		if errors.As(cause, &stall) {
			return stall
		}
		return fmt.Errorf("%w (%v)", cause, err)
	}
	return err
}

// sentBody is a request body; each read the transport makes restarts the
// watch, so an upload that the server keeps taking is never a stall.
type sentBody struct {
	io.ReadCloser
	watch *watch
}

// Read reads and restarts the watch, until the answer has come.
func (b *sentBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.watch.progress()
	return n, err
}

// watchedBody is an answer's body; the watch runs only while a read waits
// for the server, never while the reader does other work.
type watchedBody struct {
	io.ReadCloser
	ctx   context.Context
	watch *watch
	done  func()
}

// Read reads, failing with the stall or the run's end.
func (b *watchedBody) Read(p []byte) (int, error) {
	b.watch.arm()
	n, err := b.ReadCloser.Read(p)
	b.watch.disarm()
	if err == io.EOF {
		b.done()
	} else if err != nil {
		err = causeOf(b.ctx, err)
	}
	return n, err
}

// Close closes the body and releases the request.
func (b *watchedBody) Close() error {
	err := b.ReadCloser.Close()
	b.watch.disarm()
	b.done()
	return err
}

// watch fires once it has been armed for d without being re-armed or
// disarmed.
type watch struct {
	mu        sync.Mutex
	d         time.Duration
	timer     *time.Timer
	fire      func()
	gotAnswer bool // the answer's headers came: request-body reads no longer count
}

func newWatch(d time.Duration, fire func()) *watch { return &watch{d: d, fire: fire} }

func (w *watch) arm() {
	if w.d <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil {
		w.timer = time.AfterFunc(w.d, w.fire)
		return
	}
	w.timer.Reset(w.d)
}

// progress re-arms the watch while the request is still being sent.
func (w *watch) progress() {
	w.mu.Lock()
	answered := w.gotAnswer
	w.mu.Unlock()
	if !answered {
		w.arm()
	}
}

// answered disarms the watch for good as far as the request is concerned.
func (w *watch) answered() {
	w.mu.Lock()
	w.gotAnswer = true
	w.mu.Unlock()
	w.disarm()
}

func (w *watch) disarm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
}
