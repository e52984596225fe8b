package cmd

import (
	"runtime/debug"
	"sync"

	"github.com/pigeon-call/pigeon/transfer"
)

// How far the heap may grow over what lives before the collector runs, in
// percent (GOGC).
//
// A call's heap is mostly pictures, made and dropped thirty times a second,
// over a few megabytes that live: Go's default of letting the heap grow to
// twice what lives would hold five more megabytes of dead pictures. A
// quarter more than what lives costs the collector about 2% of a core in a
// 640x480 call (1% at a half more) and holds about 1.2 MB less.
//
// A file moving is another matter: pion allocates for every packet, and
// the transfer package says the pace that suits it (transfer.GCPercent).
const (
	callGCPercent     = 25
	transferGCPercent = transfer.GCPercent
)

// gcPace sets the collector's pace for what the process is doing: the
// call's, and the transfers' while any runs.
type gcPace struct {
	set func(percent int) // nil: the environment's GOGC decides

	mu        sync.Mutex
	transfers int
}

// pace is the process's; Execute gives it the runtime's setter unless GOGC
// is set.
var pace gcPace

// start sets the call's pace.
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
	if p.transfers > 0 {
		p.set(transferGCPercent)
	} else {
		p.set(callGCPercent)
	}
}

func setGCPercent(percent int) { debug.SetGCPercent(percent) }
