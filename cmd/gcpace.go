package cmd

import (
	"runtime/debug"
	"sync"

	"github.com/pigeon-call/pigeon/transfer"
)

// How far the heap may grow over what lives before the collector runs, in
// percent (GOGC).
//
// A call's heap is a few megabytes that live and the garbage of its packets
// and sounds: a quarter more than what lives keeps the heap near what it
// uses, for little of the collector's time.
//
// A file moving is another matter: pion allocates for every packet, and
// the transfer package says the pace that suits it (transfer.GCPercent).
//
// Until this side's code is out, the process only starts: a low pace would
// collect the first megabytes any start allocates on the way to the offer,
// which Go's default leaves.
const (
	callGCPercent     = 25
	startGCPercent    = 100
	transferGCPercent = transfer.GCPercent
)

// gcPace sets the collector's pace for what the process is doing: the
// call's, and the transfers' while any runs.
type gcPace struct {
	set func(percent int) // nil: the environment's GOGC decides

	mu        sync.Mutex
	transfers int
	settled   bool // this side's code is out: the call's pace
}

// pace is the process's; Execute gives it the runtime's setter unless GOGC
// is set.
var pace gcPace

// settle moves from the pace of the start to the call's, once this side's
// code is out.
func (p *gcPace) settle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.settled {
		p.settled = true
		p.apply()
	}
}

// start sets the pace of the start, which settle ends.
func (p *gcPace) start(set func(int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set = set
	p.apply()
}

// transfer notes a transfer that begins, and returns the function that
// notes its end.
func (p *gcPace) transfer() (ended func()) {
	p.mu.Lock()
	p.transfers++
	p.apply()
	p.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			p.transfers--
			p.apply()
			p.mu.Unlock()
		})
	}
}

func (p *gcPace) apply() {
	if p.set == nil {
		return
	}
	switch {
	case p.transfers > 0:
		p.set(transferGCPercent)
	case !p.settled:
		p.set(startGCPercent)
	default:
		p.set(callGCPercent)
	}
}

func setGCPercent(percent int) { debug.SetGCPercent(percent) }
