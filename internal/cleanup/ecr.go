package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shiptag/shiptag/internal/naming"
)

// ECR deletes through ECR's BatchDeleteImage
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html):
// by tag, the tag goes and the image with its last tag; by digest, the
// image and every tag.
type ECR struct {
	Credentials AWSCredentials
	// API is https://api.ecr.REGION.amazonaws.com, or a test server.
	API    string
	Region string
	Client *http.Client
	// Now is the signing clock; nil is time.Now.
	Now func() time.Time
}

// NewECR returns the deleter for registry host, or an error when host is
// not an ECR registry.
func NewECR(host string, c AWSCredentials, client *http.Client) (*ECR, error) {
	_, region, ok := naming.ParseECR(host)
	if !ok {
		return nil, fmt.Errorf("%q is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)", host)
	}
	return &ECR{Credentials: c, Region: region, API: "https://api.ecr." + region + ".amazonaws.com", Client: client}, nil
}

// DeleteTag removes the tag.
func (e *ECR) DeleteTag(ctx context.Context, repository, tag string) error {
	return e.batchDelete(ctx, repository, map[string]string{"imageTag": tag})
}

// DeleteDigest removes the image and its tags.
func (e *ECR) DeleteDigest(ctx context.Context, repository, digest string) error {
	return e.batchDelete(ctx, repository, map[string]string{"imageDigest": digest})
}

func (e *ECR) batchDelete(ctx context.Context, repository string, id map[string]string) error {
	host, path, _ := strings.Cut(repository, "/")
	req := map[string]any{"repositoryName": path, "imageIds": []map[string]string{id}}
	if account, _, ok := naming.ParseECR(host); ok {
		req["registryId"] = account
	}
	body, _ := json.Marshal(req)
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	data, _, err := call(ctx, e.Client, http.MethodPost, e.API+"/", body, func(r *http.Request) error {
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.BatchDeleteImage")
		signV4(r, body, e.Credentials, e.Region, "ecr", now())
		return nil
	})
	if err != nil {
		return err
	}
	var answer struct {
		Failures []struct {
			FailureCode   string `json:"failureCode"`
			FailureReason string `json:"failureReason"`
		} `json:"failures"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return fmt.Errorf("reading BatchDeleteImage's answer: %w", err)
	}
	for _, f := range answer.Failures {
		if f.FailureCode != "ImageNotFound" { // already gone
			return fmt.Errorf("ECR BatchDeleteImage: %s: %s", f.FailureCode, f.FailureReason)
		}
	}
	return nil
}
