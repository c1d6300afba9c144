package vaultkv

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/vault/api"
)

// Defaults of Config.
const (
	DefaultMount   = "secret"
	DefaultPath    = "credwiz"
	DefaultTimeout = 15 * time.Second
)

// Config says where credwiz's keys live and how long a request may take.
// Server, token and TLS settings come from the environment, as for the
// vault CLI; Address and Token override them (for flags and tests).
type Config struct {
	// Mount is the KV version 2 mount path; "" means DefaultMount.
	Mount string
	// Path is the folder under the mount that holds credwiz's keys, one
	// or more segments separated by "/"; "" means DefaultPath.
	Path string
	// Timeout bounds every request to Vault, its retries included; 0
	// means VAULT_CLIENT_TIMEOUT when set, else DefaultTimeout.
	Timeout time.Duration
	// Address, when set, replaces VAULT_ADDR (and VAULT_AGENT_ADDR).
	Address string
	// Token, when set, is used instead of VAULT_TOKEN, the token file and
	// AppRole.
	Token string
	// TokenFile is the vault CLI's token helper file; "" means
	// ~/.vault-token.
	TokenFile string
	// Author is recorded as the writer of every version (user@host); ""
	// means the current user at this host name.
	Author string
}

// Client reads and writes credwiz's keys in one KV version 2 mount. It is
// safe for concurrent use.
type Client struct {
	api     *api.Client
	mount   string
	path    string
	timeout time.Duration
	addr    string
	author  string
	auth    string
	// secrets are values (the token, an AppRole secret ID) that no error
	// text may contain.
	secrets []string
	// mountOK is set once the mount was found to be KV version 2.
	mountOK atomic.Bool
	// mountID is what MountID returns.
	mountID atomic.Pointer[string]
}

// New returns a Client for cfg, logged in: with cfg.Token, else
// VAULT_TOKEN, else the token file, else an AppRole login with
// VAULT_ROLE_ID and VAULT_SECRET_ID (the only request New sends). It
// refuses VAULT_SKIP_VERIFY (TLS is always verified) and plain http:// to
// a host other than loopback (the token would cross the network in clear).
func New(ctx context.Context, cfg Config) (*Client, error) {
	mount, err := cleanFolder("mount", cfg.Mount, DefaultMount)
	if err != nil {
		return nil, err
	}
	path, err := cleanFolder("path", cfg.Path, DefaultPath)
	if err != nil {
		return nil, err
	}
	conf := api.DefaultConfig()
	if conf.Error != nil {
		return nil, configError("the VAULT_* environment is not usable: "+visible(conf.Error.Error(), maxServerText),
			"fix or unset the variable it names")
	}
	if cfg.Address != "" {
		conf.Address, conf.AgentAddress = cfg.Address, ""
	}
	tr, ok := conf.HttpClient.Transport.(*http.Transport)
	if !ok {
		return nil, configError("unexpected HTTP transport in the Vault client", "")
	}
	if tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify {
		return nil, configError("VAULT_SKIP_VERIFY is set, but credwiz always verifies Vault's TLS certificate",
			"unset VAULT_SKIP_VERIFY and set VAULT_CACERT to the file of the CA that signed the server's certificate")
	}
	addr := conf.Address
	if conf.AgentAddress != "" {
		addr = conf.AgentAddress
	}
	shown, err := checkAddress(addr)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
		if os.Getenv(api.EnvVaultClientTimeout) != "" && conf.Timeout > 0 {
			timeout = conf.Timeout
		}
	}
	conf.Timeout = timeout
	conf.CheckRetry = retryPolicy(conf.MaxRetryWait)
	// A redirect would carry the token to wherever the server points.
	conf.DisableRedirects = true
	ac, err := api.NewClient(conf)
	if err != nil {
		return nil, configError("cannot set up the Vault client: "+visible(err.Error(), maxServerText), "check VAULT_ADDR and the other VAULT_* variables")
	}
	// After NewClient, which sets up unix:// addresses on the transport
	// itself; nothing else uses the client yet.
	conf.HttpClient.Transport = cappedTransport{base: tr}
	author := cfg.Author
	if author == "" {
		author = defaultAuthor()
	}
	c := &Client{api: ac, mount: mount, path: path, timeout: timeout, addr: shown, author: visible(author, 128)}
	if err := c.login(ctx, cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// Address returns the Vault server's address, without any user info.
func (c *Client) Address() string { return c.addr }

// Namespace returns the Vault namespace requests go to (VAULT_NAMESPACE),
// "" for the root namespace.
func (c *Client) Namespace() string { return c.api.Namespace() }

// Auth says where the token came from: "config", "VAULT_TOKEN", the token
// file's path, or "AppRole".
func (c *Client) Auth() string { return c.auth }

// Mount returns the KV mount path, e.g. "secret".
func (c *Client) Mount() string { return c.mount }

// Path returns the folder under the mount, e.g. "credwiz".
func (c *Client) Path() string { return c.path }

// Timeout returns the bound of every request.
func (c *Client) Timeout() time.Duration { return c.timeout }

// checkAddress accepts https://, unix:// and http:// to a loopback host,
// and returns the address for messages (without user info).
func checkAddress(addr string) (string, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Scheme == "" {
		return "", configError("VAULT_ADDR "+visible(addr, 100)+" is not a URL", "set it to the server's address, e.g. https://vault.example.com:8200")
	}
	u.User = nil
	shown := visible(u.String(), 200)
	switch u.Scheme {
	case "https", "unix":
		return shown, nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return shown, nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return shown, nil
		}
		return "", configError("VAULT_ADDR "+shown+" is plain http to a host that is not loopback, which would send the Vault token in clear",
			"use the server's https:// address")
	}
	return "", configError("VAULT_ADDR "+shown+" has the scheme "+u.Scheme+", not https", "set it to the server's https:// address")
}

// cleanFolder validates a mount or path: segments separated by "/", none
// empty, "." or "..", no control characters, "?", "#" or "%"; surrounding
// slashes are dropped.
func cleanFolder(what, v, def string) (string, error) {
	if v == "" {
		v = def
	}
	v = strings.Trim(v, "/")
	bad := v == ""
	for _, seg := range strings.Split(v, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "?#%\\") {
			bad = true
		}
		for _, r := range seg {
			if r < 0x20 || r == 0x7f || r > 0x7e {
				bad = true
			}
		}
	}
	if bad {
		return "", configError("the Vault "+what+" "+visible(v, 100)+" is not valid",
			"use segments of printable ASCII separated by \"/\", e.g. secret or teams/data/credwiz")
	}
	return v, nil
}

// configError returns a KindConfig *Error.
func configError(detail, hint string) *Error {
	return &Error{Kind: KindConfig, Op: "configure", Detail: detail, Hint: hint}
}

// Author returns who the Client records as the writer of each version
// (user@host).
func (c *Client) Author() string { return c.author }
