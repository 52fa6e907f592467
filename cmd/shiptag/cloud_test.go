package main

import (
	"fmt"
	"os"
	"strconv"

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
