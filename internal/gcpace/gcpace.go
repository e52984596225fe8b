// Package gcpace sets the garbage collector's pace (GOGC) for what the
// process is doing: starting, in a call, or moving a file.
package gcpace

import (
	"runtime/debug"
	"sync"

	"github.com/pigeon-call/pigeon/transfer"
)

// How far the heap may grow over what lives before the collector runs, in
// percent (GOGC).
//
// A call's heap is the little that lives and the garbage of its packets
// and sounds: a quarter more than what lives keeps the heap near what it
// uses, for little of the collector's time.
//
// A file moving is another matter: pion allocates for every packet, and
// the transfer package says the pace that suits it (transfer.GCPercent).
//
// Until this side's code is out, the process only starts: a low pace would
// collect what any start allocates on the way to the offer, which Go's
// default leaves.
const (
	CallPercent     = 25
	StartPercent    = 100
	TransferPercent = transfer.GCPercent
)

// Pace sets the collector's pace: the start's, then the call's, and the
// transfers' while any runs. The zero Pace sets nothing until Start.
type Pace struct {
	set func(percent int) // nil: the environment's GOGC decides

	mu        sync.Mutex
	transfers int
	settled   bool // this side's code is out: the call's pace
}

// Runtime sets the runtime's pace.
func Runtime(percent int) { debug.SetGCPercent(percent) }

// Start sets the pace of the start through set (Runtime, in a process),
// until Settle.
func (p *Pace) Start(set func(percent int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set = set
	p.apply()
}

// Settle moves from the pace of the start to the call's, once this side's
// code is out.
func (p *Pace) Settle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.settled {
		p.settled = true
		p.apply()
	}
}

// Transfer notes a transfer that begins, and returns the function that
// notes its end; calling that again changes nothing.
func (p *Pace) Transfer() (ended func()) {
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

func (p *Pace) apply() {
	if p.set == nil {
		return
	}
	switch {
	case p.transfers > 0:
		p.set(TransferPercent)
	case !p.settled:
		p.set(StartPercent)
	default:
		p.set(CallPercent)
	}
}
