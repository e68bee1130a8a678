package holidays

import (
	"testing"
	"time"
)

func TestEnglandAndWales(t *testing.T) {
	days := map[string]string{}
	for _, d := range Between("GB-ENG", 2025, 2027) {
		days[d.Date.Format(time.DateOnly)] = d.Name
	}
	for _, want := range []string{
		"2025-05-26", // Spring bank holiday: the F1 fixture's Monday
		"2025-12-25", "2025-12-26",
		"2027-12-27", "2027-12-28", // Christmas and Boxing Day on a weekend move to Monday and Tuesday
	} {
		if _, ok := days[want]; !ok {
			t.Errorf("%s missing", want)
		}
	}
	if _, ok := days["2027-12-25"]; ok {
		t.Error("a Saturday holiday must be observed on a weekday")
	}
	if len(Between("XX", 2025, 2025)) != 0 || Known("XX") || !Known("US") {
		t.Error("unknown calendars")
	}
}
