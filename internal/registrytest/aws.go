package registrytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// AWS is a loopback stand-in for the two AWS APIs a CI job's ECR login
// needs, enough for the AWS SDK for Go v2 to talk to it unchanged through
// AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_ECR: STS's
// AssumeRoleWithWebIdentity (the web-identity credentials that
// aws-actions/configure-aws-credentials and EKS pods use) and ECR's
// GetAuthorizationToken and BatchDeleteImage. ECR calls must be signed
// with the credentials STS handed out; the first Throttle ECR calls are
// answered with a ThrottlingException.
type AWS struct {
	URL string
	// Registry login the authorization token carries.
	User, Password string
	// Throttle is how many ECR calls to refuse first.
	Throttle int

	srv *httptest.Server
	mu  sync.Mutex
	log []string // "Action detail", in order
}

// The credentials STS hands out.
const (
	awsAccessKey = "ASIASHIPTAGTEST00001"
	awsSecretKey = "shiptag-test-secret"
)

// StartAWS starts the stand-in; Close stops it.
func StartAWS(user, password string, throttle int) *AWS {
	a := &AWS{User: user, Password: password, Throttle: throttle}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	a.URL = a.srv.URL
	return a
}

// Close stops the stand-in.
func (a *AWS) Close() { a.srv.Close() }

// Log lists the calls served, throttled ones as "Throttled ACTION".
func (a *AWS) Log() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.log...)
}

func (a *AWS) record(entry string) {
	a.mu.Lock()
	a.log = append(a.log, entry)
	a.mu.Unlock()
}

func (a *AWS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		a.sts(w, string(body))
		return
	}
	action := strings.TrimPrefix(target, "AmazonEC2ContainerRegistry_V20150921.")
	if !strings.Contains(r.Header.Get("Authorization"), "Credential="+awsAccessKey+"/") {
		a.record("Unsigned " + action)
		awsError(w, http.StatusForbidden, "UnrecognizedClientException", "not signed with the assumed role's credentials")
		return
	}
	a.mu.Lock()
	throttled := a.Throttle > 0
	if throttled {
		a.Throttle--
	}
	a.mu.Unlock()
	if throttled {
		a.record("Throttled " + action)
		awsError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	}
	switch action {
	case "GetAuthorizationToken":
		a.record(action)
		token := base64.StdEncoding.EncodeToString([]byte(a.User + ":" + a.Password))
		writeJSON(w, map[string]any{"authorizationData": []map[string]any{{"authorizationToken": token, "expiresAt": 4102444800}}})
	case "BatchDeleteImage":
		var in struct {
			RepositoryName string              `json:"repositoryName"`
			ImageIDs       []map[string]string `json:"imageIds"`
		}
		_ = json.Unmarshal(body, &in)
		for _, id := range in.ImageIDs {
			a.record(fmt.Sprintf("%s %s tag=%s digest=%s", action, in.RepositoryName, id["imageTag"], id["imageDigest"]))
		}
		writeJSON(w, map[string]any{"imageIds": in.ImageIDs, "failures": []any{}})
	default:
		awsError(w, http.StatusBadRequest, "UnknownOperationException", action)
	}
}

// sts answers AssumeRoleWithWebIdentity when a token and a role are given.
func (a *AWS) sts(w http.ResponseWriter, form string) {
	v, _ := url.ParseQuery(form)
	if v.Get("Action") != "AssumeRoleWithWebIdentity" || v.Get("WebIdentityToken") == "" || v.Get("RoleArn") == "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>`)
		return
	}
	a.record("AssumeRoleWithWebIdentity " + v.Get("RoleArn"))
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>
<SessionToken>shiptag-test-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/shiptag</Arn><AssumedRoleId>AROATEST:shiptag</AssumedRoleId></AssumedRoleUser>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
		awsAccessKey, awsSecretKey)
}

func awsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}
