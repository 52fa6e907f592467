package cloud

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/shiptag/shiptag/internal/naming"
)

// ErrNoCredentials is the credential chain finding no credentials.
var ErrNoCredentials = errors.New("no AWS credentials")

// AWS loads the SDK's default configuration once per run: the credential
// chain (static keys, a web-identity token file with AWS_ROLE_ARN as
// aws-actions/configure-aws-credentials and EKS pod identities set them,
// profiles, SSO, ECS and instance roles), the region, and the
// AWS_ENDPOINT_URL_<SERVICE> endpoints; the SDK's retryer backs off
// throttling and transient faults.
type AWS struct {
	timeout time.Duration
	once    sync.Once
	cfg     aws.Config
	err     error
}

// NewAWS returns the run's AWS configuration, loaded when first used.
func NewAWS(timeout time.Duration) *AWS { return &AWS{timeout: timeout} }

// FromConfig uses cfg as it is instead of loading one (tests, and callers
// that made their own).
func FromConfig(cfg aws.Config) *AWS {
	a := &AWS{cfg: cfg}
	a.once.Do(func() {})
	return a
}

// Config is the SDK configuration, in region when it is given (the region a
// registry host names wins over AWS_REGION: the registry lives there).
func (a *AWS) Config(ctx context.Context, region string) (aws.Config, error) {
	a.once.Do(func() {
		client := awshttp.NewBuildableClient()
		if a.timeout > 0 {
			client = client.WithTimeout(a.timeout)
		}
		// The SDK's own log lines (IMDS fallbacks, retries) stay out of the
		// job's log; what fails comes back as an error.
		a.cfg, a.err = config.LoadDefaultConfig(ctx, config.WithHTTPClient(client), config.WithLogger(logging.Nop{}))
	})
	if a.err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration (AWS_* variables, ~/.aws): %w", a.err)
	}
	cfg := a.cfg.Copy()
	if region != "" {
		cfg.Region = region
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION (aws-actions/configure-aws-credentials' aws-region)")
	}
	return cfg, nil
}

// CheckCredentials makes sure the credential chain gives credentials, so
// that a job without any is told before anything else is asked.
func (a *AWS) CheckCredentials(ctx context.Context, region string) error {
	cfg, err := a.Config(ctx, region)
	if err != nil {
		return err
	}
	if cfg.Credentials == nil {
		err = errors.New("the credential chain found nothing")
	} else {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		return fmt.Errorf("%w (%w): give the job a role (aws-actions/configure-aws-credentials with "+
			"role-to-assume, or a web-identity token file with AWS_ROLE_ARN), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", ErrNoCredentials, err)
	}
	return nil
}

// ECR is the ECR API client for a registry host: its region, and FIPS or
// dual-stack endpoints when the host is of that form. A host that is not an
// ECR host (one marked ECR with --registry-implementation) uses the SDK's
// region.
func (a *AWS) ECR(ctx context.Context, host naming.ECRHost) (*ecr.Client, error) {
	cfg, err := a.Config(ctx, host.Region)
	if err != nil {
		return nil, err
	}
	return ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if host.FIPS {
			o.EndpointOptions.UseFIPSEndpoint = aws.FIPSEndpointStateEnabled
		}
		if host.DualStack {
			o.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled
		}
	}), nil
}

// ECRPublic is ECR Public's API client, always in us-east-1.
func (a *AWS) ECRPublic(ctx context.Context) (*ecrpublic.Client, error) {
	cfg, err := a.Config(ctx, "us-east-1")
	if err != nil {
		return nil, err
	}
	return ecrpublic.NewFromConfig(cfg), nil
}

// RegistryAuth turns the AWS credentials into the registry login for host:
// GetAuthorizationToken (ECR Public's for public.ecr.aws), decoded into the
// user and password docker login would get. ECR Public without AWS
// credentials is anonymous, which it allows for pulls.
func (a *AWS) RegistryAuth(ctx context.Context, host string) (authn.Authenticator, error) {
	h, ok := naming.ParseECRHost(host)
	if !ok {
		h = naming.ECRHost{} // marked ECR by --registry-implementation: the SDK's region
	}
	var token string
	if h.Public {
		client, err := a.ECRPublic(ctx)
		if err != nil {
			return authn.Anonymous, nil
		}
		out, err := client.GetAuthorizationToken(ctx, &ecrpublic.GetAuthorizationTokenInput{})
		if err != nil {
			return nil, explainAWS(host, "ECR Public's GetAuthorizationToken", err)
		}
		if out.AuthorizationData != nil {
			token = aws.ToString(out.AuthorizationData.AuthorizationToken)
		}
	} else {
		client, err := a.ECR(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", host, err)
		}
		out, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
		if err != nil {
			return nil, explainAWS(host, "ECR's GetAuthorizationToken", err)
		}
		if len(out.AuthorizationData) > 0 {
			token = aws.ToString(out.AuthorizationData[0].AuthorizationToken)
		}
	}
	return decodeECRToken(host, token)
}

// decodeECRToken reads an authorization token: base64 of USER:PASSWORD.
func decodeECRToken(host, token string) (authn.Authenticator, error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	user, password, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || user == "" {
		return nil, fmt.Errorf("credentials for %s: ECR's authorization token is not base64 of USER:PASSWORD", host)
	}
	return &authn.Basic{Username: user, Password: password}, nil
}

// explainAWS says what an ECR token request needs, after the SDK's retries.
func explainAWS(host, call string, err error) error {
	return fmt.Errorf("credentials for %s: %s failed: %w; give the job AWS credentials that may call "+
		"ecr:GetAuthorizationToken (aws-actions/configure-aws-credentials with role-to-assume, a web-identity "+
		"token file with AWS_ROLE_ARN, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or pass --username", host, call, err)
}
