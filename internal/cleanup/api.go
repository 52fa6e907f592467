package cleanup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// APIError is a native API's refusal: the status and what it said.
type APIError struct {
	Method, URL string
	StatusCode  int
	Body        string
}

// Error shows the request, the status and the start of the answer.
func (e *APIError) Error() string {
	body := strings.TrimSpace(e.Body)
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode), body)
}

// call sends one API request and returns the answer's body for a 2xx
// status, an *APIError otherwise. edit sets the headers (auth, signing).
func call(ctx context.Context, client *http.Client, method, url string, body []byte, edit func(*http.Request) error) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if edit != nil {
		if err := edit(req); err != nil {
			return nil, nil, err
		}
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, nil, &APIError{Method: method, URL: url, StatusCode: resp.StatusCode, Body: string(data)}
	}
	return data, resp.Header, nil
}

// isAPIStatus reports whether err is an APIError with status code.
func isAPIStatus(err error, code int) bool {
	e, ok := err.(*APIError)
	return ok && e.StatusCode == code
}
