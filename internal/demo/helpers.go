package demo

import (
	"slices"
	"strings"
)

func lower(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

func appendUnique(ids []int64, id int64) []int64 {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

func sortKeys[T any](s []T, less func(a, b T) bool) {
	slices.SortFunc(s, func(a, b T) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
}
