package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shiptag/shiptag/internal/registrytest"
)

type awsKey struct{} // **registrytest.AWS: the script's stand-in, once started

// awsStandin starts the STS and ECR stand-in in front of the real registry's
// login and points the AWS SDK at it, as a CI job after
// aws-actions/configure-aws-credentials is: a web-identity token file and a
// role, a region, and nothing else (no keys, no instance metadata, no
// profile). "aws-standin [THROTTLE]" throttles the first THROTTLE ECR calls.
func awsStandin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: aws-standin [THROTTLE]")
	}
	throttle := 0
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		throttle = n
	}
	reg := ts.Value(serverKey{}).(*registrytest.Server)
	a := registrytest.StartAWS(reg.User, reg.Password, throttle)
	ts.Defer(a.Close)
	*ts.Value(awsKey{}).(**registrytest.AWS) = a
	token := ts.MkAbs("web-identity-token")
	ts.Check(os.WriteFile(token, []byte("eyJ0ZXN0IjoidG9rZW4ifQ"), 0o600))
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_STS": a.URL, "AWS_ENDPOINT_URL_ECR": a.URL, "AWS_REGION": "eu-west-1",
		"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci", "AWS_WEB_IDENTITY_TOKEN_FILE": token,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": ts.MkAbs("no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": ts.MkAbs("no-aws-credentials"),
	} {
		ts.Setenv(k, v)
	}
}

// awsLog prints the calls the stand-in served, one per line.
func awsLog(ts *testscript.TestScript, neg bool, args []string) {
	a := *ts.Value(awsKey{}).(**registrytest.AWS)
	if a == nil || neg {
		ts.Fatalf("usage: aws-log, after aws-standin")
	}
	for _, line := range a.Log() {
		fmt.Fprintln(ts.Stdout(), line)
	}
}

type googleKey struct{} // *[]string: the token endpoint's calls

// googleStandin writes a service-account key whose token_uri is a loopback
// token endpoint and points Google's application default credentials at it,
// as google-github-actions/auth does with a key. The endpoint answers a
// signed JWT with the real registry's "_token" password as the access token.
func googleStandin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: google-standin")
	}
	reg := ts.Value(serverKey{}).(*registrytest.Server)
	calls := ts.Value(googleKey{}).(*[]string)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		*calls = append(*calls, r.Method+" "+r.URL.Path+" "+r.PostForm.Get("grant_type"))
		mu.Unlock()
		if r.PostForm.Get("assertion") == "" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, reg.Cloud[registrytest.GoogleUser])
	}))
	ts.Defer(srv.Close)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	account, err := json.Marshal(map[string]string{"type": "service_account", "project_id": "shiptag-test",
		"private_key_id": "test", "private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "ci@shiptag-test.iam.gserviceaccount.com", "client_id": "1", "token_uri": srv.URL + "/token"})
	ts.Check(err)
	path := ts.MkAbs("google-key.json")
	ts.Check(os.WriteFile(path, account, 0o600))
	ts.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
}

// googleLog prints the token endpoint's calls.
func googleLog(ts *testscript.TestScript, neg bool, args []string) {
	for _, c := range *ts.Value(googleKey{}).(*[]string) {
		fmt.Fprintln(ts.Stdout(), c)
	}
}
