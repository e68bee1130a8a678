package demo_test

import (
	"fmt"
	"strings"
)

// fmtSscan reads the id out of a canonical key such as "harvest:1001".
func fmtSscan(key string, id *int64) (int, error) {
	_, rest, _ := strings.Cut(key, ":")
	return fmt.Sscan(rest, id)
}
