package cloud

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/containers/azcontainerregistry"
	"github.com/google/go-containerregistry/pkg/authn"
)

// acrUser is the user name ACR takes with a refresh token as the password,
// as `az acr login` hands it to docker.
const acrUser = "00000000-0000-0000-0000-000000000000"

// acrScope is the Entra ID audience of ACR's token exchange.
const acrScope = "https://containerregistry.azure.net/.default"

// azureAuth exchanges an Entra ID token for an ACR refresh token at the
// registry's /oauth2/exchange. cred nil is the Azure identity library's
// default credential: environment (a client secret, or a federated token
// file as azure/login and AKS workload identity set AZURE_FEDERATED_TOKEN_FILE),
// workload identity, managed identity, then the az CLI. Without any it is
// anonymous.
func azureAuth(ctx context.Context, host string, cred azcore.TokenCredential, timeout time.Duration) (authn.Authenticator, error) {
	if cred == nil {
		c, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return authn.Anonymous, nil
		}
		cred = c
	}
	return exchangeACR(ctx, "https://"+host, host, cred, nil, timeout)
}

// exchangeACR is the exchange itself, against endpoint, with client for
// the exchange (nil: the library's default).
func exchangeACR(ctx context.Context, endpoint, host string, cred azcore.TokenCredential, client *http.Client, timeout time.Duration) (authn.Authenticator, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{acrScope}})
	if err != nil {
		// No Azure identity in this job: ACR's anonymous pull, if enabled.
		return authn.Anonymous, nil
	}
	opts := &azcontainerregistry.AuthenticationClientOptions{}
	if client != nil {
		opts.Transport = client
	}
	ac, err := azcontainerregistry.NewAuthenticationClient(endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", host, err)
	}
	resp, err := ac.ExchangeAADAccessTokenForACRRefreshToken(ctx, azcontainerregistry.PostContentSchemaGrantTypeAccessToken, host,
		&azcontainerregistry.AuthenticationClientExchangeAADAccessTokenForACRRefreshTokenOptions{AccessToken: &tok.Token})
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: ACR's token exchange failed: %w; give the identity the AcrPush role "+
			"on the registry, or pass --username", host, err)
	}
	if resp.RefreshToken == nil || *resp.RefreshToken == "" {
		return nil, fmt.Errorf("credentials for %s: ACR's token exchange returned no refresh token", host)
	}
	return &authn.Basic{Username: acrUser, Password: *resp.RefreshToken}, nil
}
