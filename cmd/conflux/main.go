// Command conflux pulls an agency's tools into one DuckDB file, reconciles
// them into utilization, margin and gap facts, and serves dashboards.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/config"
)

// Exit codes: 0 ok, 1 failure, 2 bad usage or bad config.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks errors that exit with code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	root := newRoot()
	cmd, err := root.ExecuteC()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "conflux:", err)
	os.Exit(exitCode(cmd, err))
}

func exitCode(cmd *cobra.Command, err error) int {
	var ue usageError
	var ce *config.Error
	switch {
	case errors.As(err, &ue), errors.As(err, &ce):
		return exitUsage
	case cmd != nil && isFlagError(err):
		return exitUsage
	}
	return exitFailure
}

// flagErrors are cobra's own usage failures (unknown flag, wrong arg count).
type flagError struct{ error }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}
