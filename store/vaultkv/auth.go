package vaultkv

import (
	"context"
	"errors"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
)

// Environment variables of an AppRole login, as Vault's own agents and
// tools name them.
const (
	EnvRoleID   = "VAULT_ROLE_ID"
	EnvSecretID = "VAULT_SECRET_ID"
)

// maxTokenFile caps the token file's size.
const maxTokenFile = 64 << 10

// noTokenHint says how to get a token.
const noTokenHint = "set VAULT_TOKEN, run `vault login`, or set VAULT_ROLE_ID and VAULT_SECRET_ID for an AppRole login"

// login sets the client's token from cfg.Token, VAULT_TOKEN, the token
// file or an AppRole login, in that order.
func (c *Client) login(ctx context.Context, cfg Config) error {
	token, source := cfg.Token, "config"
	if token == "" {
		token, source = os.Getenv(api.EnvVaultToken), api.EnvVaultToken
	}
	if token == "" {
		var err error
		token, source, err = readTokenFile(cfg.TokenFile)
		if err != nil {
			return err
		}
	}
	token = strings.TrimSpace(token)
	if token != "" {
		c.api.SetToken(token)
		c.auth = source
		c.secrets = append(c.secrets, token)
		return nil
	}
	c.api.ClearToken()
	roleID, secretID := os.Getenv(EnvRoleID), os.Getenv(EnvSecretID)
	switch {
	case roleID == "" && secretID == "":
		return &Error{Kind: KindNoToken, Op: "login", Detail: "no Vault token", Hint: noTokenHint}
	case roleID == "":
		return configError(EnvSecretID+" is set but "+EnvRoleID+" is not", "set both for an AppRole login, or set VAULT_TOKEN")
	case secretID == "":
		return configError(EnvRoleID+" is set but "+EnvSecretID+" is not", "set both for an AppRole login, or set VAULT_TOKEN")
	}
	c.secrets = append(c.secrets, secretID)
	method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromEnv: EnvSecretID})
	if err != nil {
		return configError("cannot prepare the AppRole login", "check "+EnvRoleID+" and "+EnvSecretID)
	}
	o := op{name: "login", path: "auth/approle/login", capability: "update"}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	secret, err := c.api.Auth().Login(rctx, method)
	if err != nil {
		e := c.classify(ctx, o, err)
		if e.Kind == KindServer || e.Kind == KindPermission || e.Kind == KindBadToken {
			// 400 "invalid role or secret ID", 403, ...: the login itself was refused.
			e.Kind = KindBadToken
			e.Detail = "Vault refused the AppRole login at " + c.addr
			e.Hint = "check " + EnvRoleID + " and " + EnvSecretID + " (a secret ID expires and may be used a limited number of times)"
			e.Capability = ""
		}
		return e
	}
	if secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "" {
		return &Error{Kind: KindServer, Op: "login", Path: o.path,
			Detail: "Vault's answer to the AppRole login holds no token", Hint: "check the AppRole mount with a Vault admin"}
	}
	c.auth = "AppRole"
	c.secrets = append(c.secrets, secret.Auth.ClientToken)
	return nil
}

// readTokenFile returns the token in the vault CLI's token file (default
// ~/.vault-token), "" when there is none.
func readTokenFile(path string) (token, source string, err error) {
	if path == "" {
		home, herr := os.UserHomeDir()
		if herr != nil {
			return "", "", nil
		}
		path = filepath.Join(home, ".vault-token")
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", configError("cannot read the Vault token file "+path+": "+err.Error(), "fix its permissions, or set VAULT_TOKEN")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return "", "", configError("the Vault token file "+path+" is not a regular file", "remove it and run `vault login`, or set VAULT_TOKEN")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", "", configError("cannot read the Vault token file "+path+": "+err.Error(), "fix it, or set VAULT_TOKEN")
	}
	if len(b) > maxTokenFile {
		return "", "", configError("the Vault token file "+path+" is too large to hold a token", "remove it and run `vault login`, or set VAULT_TOKEN")
	}
	return string(b), path, nil
}

// defaultAuthor returns user@host for the current process.
func defaultAuthor() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return name + "@" + host
}
