package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/crmagg/crmagg/apierr"
)

// AppKeyPrefix starts the keys of OAuth applications. Such a key must come
// with an Authorization: Bearer header carrying the user's session token.
const AppKeyPrefix = "vibe_app_"

// Scopes of the built-in entities.
const (
	ScopeCRM  = "crm"
	ScopeTask = "task"
)

// DefaultScope returns the scope an entity needs when its Entity.Scope is
// empty: "task" for tasks and "crm" for every other entity, contacts and
// deals included.
func DefaultScope(entity string) string {
	if entity == "tasks" {
		return ScopeTask
	}
	return ScopeCRM
}

// Credentials are what a request presents: the X-Api-Key header and the
// token of an Authorization: Bearer header ("" when there is none).
type Credentials struct {
	APIKey string
	Bearer string
}

// Authenticator decides whether a request may use an entity. The handler
// calls it after the path and method checks, and only for a request that
// has a non-empty X-Api-Key header, because the handler rejects a missing key with 401
// MISSING_API_KEY before Authenticate is called.
//
// Authenticate returns nil to let the request through, an *apierr.Error
// whose code and message the client receives (INVALID_API_KEY,
// INVALID_APP_KEY, TOKEN_MISSING, SCOPE_DENIED, ...), or any other error
// for a failure of the authenticator itself, which the client receives as
// 500 INTERNAL_ERROR and the log records.
type Authenticator interface {
	Authenticate(ctx context.Context, cred Credentials, scope string) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, cred Credentials, scope string) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, cred Credentials, scope string) error {
	return f(ctx, cred, scope)
}

// KeyFingerprint returns the first 8 hex digits of the SHA-256 of an API
// key: enough to tell keys apart in a log without writing the key.
func KeyFingerprint(key string) string {
	return fingerprint([]byte(key))
}

func fingerprint(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:4])
}

// KeyGrant is one API key of a Keys set.
type KeyGrant struct {
	// Key is the API key as clients send it in X-Api-Key.
	Key string `json:"key"`
	// Scopes are the scopes the key has, such as "crm" and "task".
	Scopes []string `json:"scopes"`
	// Tokens reports whether the key has configured tokens, and nil means
	// true. Requests with a key without tokens get 401 TOKEN_MISSING.
	Tokens *bool `json:"tokens,omitempty"`
}

// keysFile is the JSON layout of a keys file.
type keysFile struct {
	Keys []KeyGrant `json:"keys"`
}

type storedKey struct {
	digest    [sha256.Size]byte
	app       bool
	scopes    []string
	hasTokens bool
}

// Keys is the built-in Authenticator: a fixed set of API keys, each with
// its scopes and whether it has tokens. It checks, in this order:
//
//   - an unknown key is 401 INVALID_API_KEY, whatever its prefix;
//   - a key starting with "vibe_app_" without a Bearer token is 401
//     INVALID_APP_KEY (only the token's presence is checked, not its value);
//   - a key without tokens is 401 TOKEN_MISSING;
//   - a key without the entity's scope is 403 SCOPE_DENIED.
//
// Keys are compared through their SHA-256 digests with
// crypto/subtle.ConstantTimeCompare, and every stored key is compared on
// each request, so the time taken does not depend on which key matched or
// how much of a key was right. A Keys value is immutable and safe for
// concurrent use.
type Keys struct {
	keys []storedKey
}

// NewKeys builds a Keys set. It fails on an empty key, a key given twice
// and an empty scope name.
func NewKeys(grants []KeyGrant) (*Keys, error) {
	k := &Keys{keys: make([]storedKey, 0, len(grants))}
	seen := make(map[string]bool, len(grants))
	for i, g := range grants {
		if g.Key == "" {
			return nil, fmt.Errorf("key %d is empty", i)
		}
		if seen[g.Key] {
			return nil, fmt.Errorf("key %d (fingerprint %s) is given twice", i, KeyFingerprint(g.Key))
		}
		seen[g.Key] = true
		if slices.Contains(g.Scopes, "") {
			return nil, fmt.Errorf("key %d (fingerprint %s) has an empty scope name", i, KeyFingerprint(g.Key))
		}
		k.keys = append(k.keys, storedKey{
			digest:    sha256.Sum256([]byte(g.Key)),
			app:       strings.HasPrefix(g.Key, AppKeyPrefix),
			scopes:    slices.Clone(g.Scopes),
			hasTokens: g.Tokens == nil || *g.Tokens,
		})
	}
	return k, nil
}

// ParseKeys reads a keys file:
//
//	{"keys": [
//	  {"key": "vibe_api_1f0c", "scopes": ["crm", "task"]},
//	  {"key": "vibe_app_77ab", "scopes": ["crm"]},
//	  {"key": "vibe_api_9d2e", "scopes": ["crm"], "tokens": false}
//	]}
//
// "scopes" lists the key's scopes; "tokens" is optional and true by
// default. Unknown members are rejected, so that a misspelt "scopes" fails
// at start rather than denying every request.
func ParseKeys(data []byte) (*Keys, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file keysFile
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("invalid keys file: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("invalid keys file: text after the JSON object")
	}
	if file.Keys == nil {
		return nil, fmt.Errorf(`invalid keys file: the "keys" array is missing`)
	}
	keys, err := NewKeys(file.Keys)
	if err != nil {
		return nil, fmt.Errorf("invalid keys file: %w", err)
	}
	return keys, nil
}

// LoadKeys reads the keys file at path; see ParseKeys for its format.
func LoadKeys(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := ParseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// Len returns the number of keys.
func (k *Keys) Len() int { return len(k.keys) }

// Authenticate implements Authenticator.
func (k *Keys) Authenticate(_ context.Context, cred Credentials, scope string) error {
	digest := sha256.Sum256([]byte(cred.APIKey))
	found := -1
	for i := range k.keys {
		if subtle.ConstantTimeCompare(digest[:], k.keys[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return apierr.New(apierr.InvalidAPIKey, "the API key is not valid; check the X-Api-Key header")
	}

	key := &k.keys[found]
	switch {
	case key.app && cred.Bearer == "":
		return apierr.New(apierr.InvalidAppKey,
			"an application key needs the user's session token in an Authorization: Bearer header")
	case !key.hasTokens:
		return apierr.New(apierr.TokenMissing, "the API key has no configured tokens; connect the key to the portal first")
	case !slices.Contains(key.scopes, scope):
		return apierr.New(apierr.ScopeDenied, fmt.Sprintf("the API key lacks the '%s' scope that this entity needs", scope))
	}
	return nil
}
