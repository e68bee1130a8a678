package fakeapi

import "testing"

func TestTakeServesTheLongestPrefixInOrderThenNothing(t *testing.T) {
	var f Faults
	if f.Take("/x") != nil {
		t.Fatal("an empty queue gave a fault")
	}
	f.Add("/time", Fault{Status: 500}, Fault{Status: 502})
	f.Add("/time_entries", Fault{Malformed: true})
	if got := f.Take("/time_entries?page=2"); got == nil || !got.Malformed {
		t.Fatalf("longest prefix first: %+v", got)
	}
	for _, want := range []int{500, 502} {
		if got := f.Take("/time_entries"); got == nil || got.Status != want {
			t.Fatalf("want %d, got %+v", want, got)
		}
	}
	if got := f.Take("/time_entries"); got != nil {
		t.Fatalf("the queue is spent, got %+v", got)
	}
}

func TestRequestsCountByPrefixAndPath(t *testing.T) {
	var r Requests
	for _, p := range []string{"/time_entries", "/time_entries", "/time_entries/1", "/users"} {
		r.Add(p)
	}
	if r.Count("/time_entries") != 3 || r.Exact("/time_entries") != 2 || r.Count("/") != 4 || r.Count("/projects") != 0 {
		t.Errorf("counts: prefix %d exact %d all %d none %d", r.Count("/time_entries"), r.Exact("/time_entries"), r.Count("/"), r.Count("/projects"))
	}
}
