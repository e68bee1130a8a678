package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PutSecret stores an already encrypted secret; one statement, so a crash
// leaves the old value or the new one, never neither.
func (w *Warehouse) PutSecret(ctx context.Context, name string, ciphertext []byte) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO meta.secrets VALUES (?, ?, now())
		ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`, name, ciphertext)
	if err != nil {
		return fmt.Errorf("save secret %s: %w", name, err)
	}
	return nil
}

// ErrNoSecret means nothing is stored under the name.
var ErrNoSecret = errors.New("no secret stored")

// Secret returns an encrypted secret.
func (w *Warehouse) Secret(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := w.db.QueryRowContext(ctx, `SELECT ciphertext FROM meta.secrets WHERE name = ?`, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", name, ErrNoSecret)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return b, nil
}
