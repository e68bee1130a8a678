package secrets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenAndKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conflux.key")
	none := func(string) (string, bool) { return "", false }
	box, err := Load(path, none)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode().Perm(), err)
	}
	sealed := box.Seal([]byte("refresh-token-123"))
	if bytes.Contains(sealed, []byte("refresh-token-123")) {
		t.Fatal("plaintext visible in the sealed secret")
	}
	again, _ := Load(path, none)
	if got, err := again.Open(sealed); err != nil || string(got) != "refresh-token-123" {
		t.Errorf("reopen with the same key file: %q %v", got, err)
	}
	other, _ := Load(path, func(string) (string, bool) { return "another passphrase", true })
	if _, err := other.Open(sealed); !errors.Is(err, ErrWrongKey) {
		t.Errorf("a different key opened it: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := Load(path, none); err == nil {
		t.Error("a world-readable key file was accepted")
	}
}
