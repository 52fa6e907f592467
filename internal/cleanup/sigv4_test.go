package cleanup

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignV4 checks the signer against the example of AWS's S3 signature
// documentation (GET /test.txt with a Range header, example credentials).
func TestSignV4(t *testing.T) {
	t.Parallel()
	r, _ := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	r.Header.Set("Range", "bytes=0-9")
	r.Header.Set("X-Amz-Content-Sha256", hexSHA256(nil))
	c := AWSCredentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	signV4(r, nil, c, "us-east-1", "s3", time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := r.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(r.Header.Get("X-Amz-Date"), "20130524T") {
		t.Errorf("X-Amz-Date = %q", r.Header.Get("X-Amz-Date"))
	}
}
