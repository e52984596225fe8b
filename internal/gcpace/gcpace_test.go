package gcpace

import (
	"slices"
	"testing"
)

// TestPaceFollowsTransfers checks that the collector gets the transfers'
// pace while any transfer runs, and the call's otherwise.
func TestPaceFollowsTransfers(t *testing.T) {
	var set []int
	var p Pace
	p.Start(func(percent int) { set = append(set, percent) })
	p.Settle()
	first := p.Transfer()
	second := p.Transfer()
	first()
	first() // a second end of the same transfer changes nothing
	second()
	want := []int{StartPercent, CallPercent, TransferPercent, TransferPercent, TransferPercent, CallPercent}
	if !slices.Equal(set, want) {
		t.Errorf("percents set %v, want %v", set, want)
	}
}

// TestPaceSettlesOnce checks that the start's pace lasts until this side's
// code is out, and that a transfer during the start gets its own.
func TestPaceSettlesOnce(t *testing.T) {
	var set []int
	var p Pace
	p.Start(func(percent int) { set = append(set, percent) })
	end := p.Transfer()
	end()
	p.Settle()
	p.Settle()
	want := []int{StartPercent, TransferPercent, StartPercent, CallPercent}
	if !slices.Equal(set, want) {
		t.Errorf("percents set %v, want %v", set, want)
	}
}
