package cmd

import (
	"slices"
	"testing"
)

// TestGCPaceFollowsTransfers checks that the collector gets the
// transfers' pace while any transfer runs, and the call's otherwise.
func TestGCPaceFollowsTransfers(t *testing.T) {
	var set []int
	var p gcPace
	p.start(func(percent int) { set = append(set, percent) })
	p.settle()
	first := p.transfer()
	second := p.transfer()
	first()
	first() // a second end of the same transfer changes nothing
	second()
	want := []int{startGCPercent, callGCPercent, transferGCPercent, transferGCPercent, transferGCPercent, callGCPercent}
	if !slices.Equal(set, want) {
		t.Errorf("percents set %v, want %v", set, want)
	}
}

// TestGCPaceSettlesOnce checks that the start's pace lasts until this
// side's code is out, and that a transfer during the start gets its own.
func TestGCPaceSettlesOnce(t *testing.T) {
	var set []int
	var p gcPace
	p.start(func(percent int) { set = append(set, percent) })
	end := p.transfer()
	end()
	p.settle()
	p.settle()
	want := []int{startGCPercent, transferGCPercent, startGCPercent, callGCPercent}
	if !slices.Equal(set, want) {
		t.Errorf("percents set %v, want %v", set, want)
	}
}
