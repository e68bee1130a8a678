// Package secrets encrypts credentials at rest (OAuth tokens in
// meta.secrets) with AES-GCM. The key comes from CONFLUX_SECRET_KEY or from
// a key file that is created with 0600 permissions on first use.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// EnvKey names the environment variable that can hold the key (any
// passphrase; it is hashed to 256 bits).
const EnvKey = "CONFLUX_SECRET_KEY"

// Box seals and opens secrets with one key.
type Box struct{ aead cipher.AEAD }

// New makes a Box from raw key material.
func New(key []byte) (*Box, error) {
	sum := sha256.Sum256(key)
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Load takes the key from CONFLUX_SECRET_KEY, else from keyFile, creating
// the file (32 random bytes, mode 0600) when it does not exist. A key file
// others can read is refused.
func Load(keyFile string, lookup func(string) (string, bool)) (*Box, error) {
	if v, ok := lookup(EnvKey); ok && v != "" {
		return New([]byte(v))
	}
	key, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			return nil, fmt.Errorf("create secret key %s: %w", keyFile, err)
		}
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret key %s: %w", keyFile, err)
	}
	if st, err := os.Stat(keyFile); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret key %s is readable by others (mode %v): run chmod 600 %s", keyFile, st.Mode().Perm(), keyFile)
	}
	return New(key)
}

// Seal encrypts plaintext; the nonce is prepended.
func (b *Box) Seal(plaintext []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plaintext, nil)
}

// ErrWrongKey means a secret cannot be opened with this key.
var ErrWrongKey = errors.New("the secret cannot be decrypted with this key (was CONFLUX_SECRET_KEY or the key file changed? run `conflux connect` again)")

// Open decrypts what Seal produced.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrWrongKey
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrWrongKey
	}
	return out, nil
}
