package httpapi_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/httpapi"
)

func TestKeysAuthenticate(t *testing.T) {
	keys, err := httpapi.ParseKeys([]byte(testKeys))
	if err != nil {
		t.Fatal(err)
	}
	if keys.Len() != 4 {
		t.Fatalf("Len = %d, want 4", keys.Len())
	}
	cases := []struct {
		key, bearer, scope string
		code               apierr.Code // "" when the key is accepted
	}{
		{"vibe_api_full", "", "crm", ""},
		{"vibe_api_full", "", "task", ""},
		{"vibe_api_crm", "", "task", apierr.ScopeDenied},
		{"vibe_api_notokens", "", "crm", apierr.TokenMissing},
		{"vibe_app_dashboard", "", "crm", apierr.InvalidAppKey},
		{"vibe_app_dashboard", "anything", "crm", ""},
		{"vibe_app_dashboard", "anything", "task", apierr.ScopeDenied},
		{"vibe_app_other", "anything", "crm", apierr.InvalidAPIKey},
		{"VIBE_API_FULL", "", "crm", apierr.InvalidAPIKey},
		{"vibe_api_full ", "", "crm", apierr.InvalidAPIKey},
	}
	for _, tc := range cases {
		err := keys.Authenticate(context.Background(), httpapi.Credentials{APIKey: tc.key, Bearer: tc.bearer}, tc.scope)
		var got apierr.Code
		if e := apierr.As(err); e != nil {
			got = e.Code
		} else if err != nil {
			t.Errorf("%s on %s: error %v is not an *apierr.Error", tc.key, tc.scope, err)
		}
		if got != tc.code {
			t.Errorf("%s (bearer %q) on scope %s: code %q, want %q", tc.key, tc.bearer, tc.scope, got, tc.code)
		}
	}
}

func TestParseKeysRejects(t *testing.T) {
	cases := []struct {
		name, file, message string
	}{
		{"not json", `{`, "invalid keys file"},
		{"no keys array", `{}`, `"keys" array is missing`},
		{"unknown member", `{"keys": [{"key": "k", "scope": ["crm"]}]}`, `unknown field "scope"`},
		{"empty key", `{"keys": [{"key": "", "scopes": ["crm"]}]}`, "key 0 is empty"},
		{"repeated key", `{"keys": [{"key": "k", "scopes": []}, {"key": "k", "scopes": ["crm"]}]}`, "given twice"},
		{"empty scope", `{"keys": [{"key": "k", "scopes": [""]}]}`, "empty scope name"},
		{"trailing text", `{"keys": []} {}`, "text after the JSON object"},
		{"tokens not bool", `{"keys": [{"key": "k", "scopes": [], "tokens": "no"}]}`, "invalid keys file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpapi.ParseKeys([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("ParseKeys: error %v, want one containing %q", err, tc.message)
			}
			if err != nil && strings.Contains(tc.file, `"key": "k"`) && strings.Contains(err.Error(), `"k"`) {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(testKeys), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := httpapi.LoadKeys(path)
	if err != nil || keys.Len() != 4 {
		t.Fatalf("LoadKeys: %v, %v", keys, err)
	}
	if _, err := httpapi.LoadKeys(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadKeys of a missing file returned no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"keys": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := httpapi.LoadKeys(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadKeys of a bad file: error %v, want one naming the file", err)
	}
}
