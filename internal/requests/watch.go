package requests

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// StallError is a request the server stopped answering.
type StallError struct {
	Method, Host string
	Wait         time.Duration
	// Unheard is how long the host had given no sign of life (an answer,
	// a byte of one, an upload it kept reading) when this request stalled.
	Unheard time.Duration
}

// Silent reports whether the host has gone silent, not just lost a request
// or two: nothing from it for silentFor timeouts. Then nothing retries, so
// a silent registry fails the run in bounded time.
func (e *StallError) Silent() bool { return e.Unheard >= silentFor*e.Wait }

// silentFor is how many timeouts a host may give no sign of life before it
// counts as silent: two stalls back to back are a flaky registry's bad luck
// (seen here: one run in about 40 at 20 % faults with --timeout 1s), three
// are rare enough to mean the registry has stopped.
const silentFor = 3

// Error names the server and the wait, and the setting that bounds it.
func (e *StallError) Error() string {
	if e.Silent() {
		return fmt.Sprintf("%s request to %s: no answer for %s, and nothing from the registry for %s: it has gone silent "+
			"(raise --timeout if it is only slow)", e.Method, e.Host, e.Wait, e.Unheard.Round(time.Second))
	}
	return fmt.Sprintf("%s request to %s: no answer for %s (raise --timeout if the registry is only slow)", e.Method, e.Host, e.Wait)
}

// expect notes the first request to a host: its silence counts from then.
func (t *Transport) expect(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.heard[host]; !ok {
		t.heard[host] = time.Now()
	}
}

// alive records a sign of life from the host.
func (t *Transport) alive(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.heard[host] = time.Now()
}

// stall is the error of a request the host left silent.
func (t *Transport) stall(req *http.Request) *StallError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return &StallError{Method: req.Method, Host: req.URL.Host, Wait: t.opts.Timeout, Unheard: time.Since(t.heard[req.URL.Host])}
}

// watch fires once it has been armed for d without being re-armed or
// disarmed; heard is told of every sign of life.
type watch struct {
	mu        sync.Mutex
	d         time.Duration
	timer     *time.Timer
	fire      func()
	heard     func()
	gotAnswer bool // the answer's headers came: request-body reads no longer count
}

func newWatch(d time.Duration, fire, heard func()) *watch {
	return &watch{d: d, fire: fire, heard: heard}
}

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

// progress re-arms the watch while the request is still being sent;
// alive says the bytes sent show the server is reading.
func (w *watch) progress(alive bool) {
	w.mu.Lock()
	answered := w.gotAnswer
	w.mu.Unlock()
	if answered {
		return
	}
	if alive {
		w.heard()
	}
	w.arm()
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
