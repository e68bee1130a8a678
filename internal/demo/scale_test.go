package demo_test

import (
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
)

// A demo of any size looks like an agency: most of the time is billable and
// the work pays for its people and overhead, at 40 people as at 400.
func TestTheDemoScalesWithItsPeople(t *testing.T) {
	for _, people := range []int{40, 400} {
		a := demo.Generate(demo.Options{People: people, Years: 1, End: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
		var worked, billable, costCents int64
		timeOff := map[int64]bool{}
		for _, p := range a.Projects {
			timeOff[p.ID] = p.TimeOff
		}
		for _, e := range a.Entries {
			if timeOff[e.ProjectID] {
				continue
			}
			worked += int64(e.Quarters)
			if e.Billable {
				billable += int64(e.Quarters)
			}
			costCents += int64(e.Quarters) * int64(e.CostRate) * 25
		}
		var valueCents int64
		for _, v := range a.BillableValueCents() {
			valueCents += v
		}
		overheadCents := int64(45000*people/40) * 12 * 100
		share := float64(billable) / float64(worked)
		margin := float64(valueCents-costCents-overheadCents) / float64(valueCents)
		t.Logf("%d people: %d clients, %d projects, %.0f%% of worked hours billable, margin %.0f%%", people, len(a.Clients)-1, len(a.Projects), 100*share, 100*margin)
		if share < 0.7 || share > 0.95 || margin < 0.2 {
			t.Errorf("%d people: %.0f%% of worked hours billable, margin %.0f%% (want 70–95%% billable and a margin of at least 20%%)", people, 100*share, 100*margin)
		}
	}
}

// The smallest agencies have no strategist or project manager to own
// their deals (conflux bench --entries 5000 makes two people): someone
// else owns them.
func TestATinyAgencyStillHasDealOwners(t *testing.T) {
	for _, people := range []int{1, 2, 3} {
		a := demo.Generate(demo.Options{People: people, Years: 1, End: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
		staff := map[int64]bool{}
		for _, p := range a.People {
			staff[p.ID] = true
		}
		if len(a.Deals) == 0 {
			t.Errorf("%d people: no deals", people)
		}
		for _, d := range a.Deals {
			if !staff[d.OwnerID] {
				t.Errorf("%d people: deal %d is owned by %d, not one of them", people, d.ID, d.OwnerID)
				break
			}
		}
	}
}
