package cleanup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	ecrpublictypes "github.com/aws/aws-sdk-go-v2/service/ecrpublic/types"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/naming"
)

// ECR deletes through BatchDeleteImage, ECR's or ECR Public's, with the AWS
// SDK for Go v2: its credential chain, partitions (China, GovCloud), FIPS
// and dual-stack endpoints, AWS_ENDPOINT_URL_ECR, and its retries of
// throttling. By tag, the tag goes and the image with its last tag; by
// digest, the image and every tag.
type ECR struct {
	Host    naming.ECRHost
	Private ecrDeleter       // nil for ECR Public
	Public  ecrPublicDeleter // nil for a private registry
}

// ecrDeleter is the part of the SDK's ECR client cleanup uses.
type ecrDeleter interface {
	BatchDeleteImage(context.Context, *ecr.BatchDeleteImageInput, ...func(*ecr.Options)) (*ecr.BatchDeleteImageOutput, error)
}

// ecrPublicDeleter is the part of the SDK's ECR Public client cleanup uses.
type ecrPublicDeleter interface {
	BatchDeleteImage(context.Context, *ecrpublic.BatchDeleteImageInput, ...func(*ecrpublic.Options)) (*ecrpublic.BatchDeleteImageOutput, error)
}

// NewECR returns the deleter for registry host with the run's AWS
// configuration. A host that is not an ECR host (one marked ECR with
// --registry-implementation) uses the SDK's region and the caller's own
// registry.
func NewECR(ctx context.Context, host string, a *cloud.AWS) (*ECR, error) {
	h, _ := naming.ParseECRHost(host)
	if err := a.CheckCredentials(ctx, h.Region); err != nil {
		return nil, err
	}
	if h.Public {
		client, err := a.ECRPublic(ctx)
		return &ECR{Host: h, Public: client}, err
	}
	client, err := a.ECR(ctx, h)
	return &ECR{Host: h, Private: client}, err
}

// DeleteTag removes the tag.
func (e *ECR) DeleteTag(ctx context.Context, repository, tag string) error {
	return e.batchDelete(ctx, repository, tag, "")
}

// DeleteDigest removes the image and its tags.
func (e *ECR) DeleteDigest(ctx context.Context, repository, digest string) error {
	return e.batchDelete(ctx, repository, "", digest)
}

func (e *ECR) batchDelete(ctx context.Context, repository, tag, digest string) error {
	_, path, _ := strings.Cut(repository, "/")
	var failures []string
	if e.Public != nil {
		// public.ecr.aws/ALIAS/REPO: the alias names the caller's registry.
		_, name, ok := strings.Cut(path, "/")
		if !ok {
			return fmt.Errorf("%q is not public.ecr.aws/ALIAS/REPOSITORY", repository)
		}
		out, err := e.Public.BatchDeleteImage(ctx, &ecrpublic.BatchDeleteImageInput{RepositoryName: aws.String(name),
			ImageIds: []ecrpublictypes.ImageIdentifier{{ImageTag: optional(tag), ImageDigest: optional(digest)}}})
		if err != nil {
			return fmt.Errorf("ECR Public BatchDeleteImage on %s: %w", repository, err)
		}
		for _, f := range out.Failures {
			if f.FailureCode != ecrpublictypes.ImageFailureCodeImageNotFound {
				failures = append(failures, string(f.FailureCode)+": "+aws.ToString(f.FailureReason))
			}
		}
	} else {
		in := &ecr.BatchDeleteImageInput{RepositoryName: aws.String(path),
			ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: optional(tag), ImageDigest: optional(digest)}}}
		if e.Host.Account != "" {
			in.RegistryId = aws.String(e.Host.Account)
		}
		out, err := e.Private.BatchDeleteImage(ctx, in)
		if err != nil {
			return fmt.Errorf("ECR BatchDeleteImage on %s: %w", repository, err)
		}
		for _, f := range out.Failures {
			if f.FailureCode != ecrtypes.ImageFailureCodeImageNotFound { // already gone
				failures = append(failures, string(f.FailureCode)+": "+aws.ToString(f.FailureReason))
			}
		}
	}
	if len(failures) > 0 {
		return errors.New("ECR BatchDeleteImage on " + repository + ": " + strings.Join(failures, "; "))
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
