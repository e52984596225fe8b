package cmd

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/transfer"
)

// acceptWait is how long an offered file waits for /accept or /decline.
const acceptWait = 2 * time.Minute

// files sends and receives files beside the call, each on a data channel of
// its own.
type files struct {
	ctx     context.Context // ends with the call
	opts    *CallOptions
	say     func(string, ...any)
	sending sync.WaitGroup

	asking  sync.Mutex // one question at a time
	mu      sync.Mutex
	answers chan bool // the answer to the question asked; nil when none is
	running map[int]context.CancelFunc
	next    int // the key of the next transfer in running
}

func newFiles(ctx context.Context, opts *CallOptions, say func(string, ...any)) *files {
	return &files{ctx: ctx, opts: opts, say: say, running: map[int]context.CancelFunc{}}
}

// track gives a transfer a context that /cancel ends; done forgets it.
func (f *files) track() (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancel(f.ctx)
	f.mu.Lock()
	id := f.next
	f.next++
	f.running[id] = cancel
	f.mu.Unlock()
	return ctx, func() {
		f.mu.Lock()
		delete(f.running, id)
		f.mu.Unlock()
		cancel()
	}
}

// cancel stops every transfer under way, both ways; the peer is told, and
// nothing is kept of what was being received.
func (f *files) cancel() {
	f.mu.Lock()
	n := len(f.running)
	for _, cancel := range f.running {
		cancel()
	}
	f.mu.Unlock()
	if n == 0 {
		f.say("no transfer to cancel")
	}
}

// start sends the file or directory at path to the peer in the background.
func (f *files) start(s *call.Session, path string) {
	f.sending.Add(1)
	go func() {
		defer f.sending.Done()
		ctx, done := f.track()
		defer done()
		f.send(ctx, s, path)
	}()
}

// wait waits for the files being sent, so that the end of input does not
// cut them off.
func (f *files) wait() { f.sending.Wait() }

// send sends the file or directory at path to the peer, reporting progress
// and the outcome.
func (f *files) send(ctx context.Context, s *call.Session, path string) {
	dc, err := s.OpenChannel(transfer.Label)
	if err != nil {
		f.say("sending %s: %v", path, err)
		return
	}
	f.say("offering %s to the peer", path)
	res, err := transfer.Send(ctx, dc, path, transfer.SendOptions{OnProgress: f.progress("sending")})
	if err != nil {
		f.say("sending %s: %v", path, explain(err))
		return
	}
	f.say("sent %s (%s, sha256 %s)", res.Name, transfer.FormatBytes(res.Size), res.SHA256[:16])
}

// receive takes a file the peer offers on dc, if it is a transfer.
func (f *files) receive(dc *webrtc.DataChannel) {
	if dc.Label() != transfer.Label {
		return
	}
	ctx, done := f.track()
	in := transfer.Receive(ctx, dc, transfer.ReceiveOptions{
		Dir:        f.opts.DownloadDir,
		AcceptAll:  f.opts.AcceptFiles,
		Accept:     func(o transfer.Offer) bool { return f.ask(ctx, o) },
		OnProgress: f.progress("receiving"),
	})
	go func() {
		res, err := in.Wait()
		done()
		switch {
		case errors.Is(err, transfer.ErrDeclined):
			f.say("declined %s", res.Name)
		case errors.Is(err, transfer.ErrCanceled), errors.Is(err, transfer.ErrPeerCanceled):
			f.say("receiving a file: %v; nothing was kept", err)
		case err != nil:
			f.say("receiving a file: %v", explain(err))
		default:
			f.say("received %s: saved as %s (%s, sha256 %s)", res.Name, res.Path, transfer.FormatBytes(res.Size), res.SHA256[:16])
		}
	}()
}

// ask asks the person whether to take an offered file. Only an answer given
// while the question is open counts: a stray /accept typed before is not
// kept for the next offer.
func (f *files) ask(ctx context.Context, o transfer.Offer) bool {
	f.asking.Lock()
	defer f.asking.Unlock()
	if ctx.Err() != nil {
		return false // cancelled while another question was open
	}
	answers := make(chan bool, 1)
	f.mu.Lock()
	f.answers = answers
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.answers = nil
		f.mu.Unlock()
	}()
	f.say("the peer wants to send you %s (%s): type /accept or /decline", o.Name, transfer.FormatBytes(o.Size))
	select {
	case yes := <-answers:
		return yes
	case <-time.After(acceptWait):
		f.say("no answer in %s: declined %s", acceptWait, o.Name)
		return false
	case <-ctx.Done():
		return false
	}
}

// answer hands /accept or /decline to the offer being asked about.
func (f *files) answer(yes bool) {
	f.mu.Lock()
	answers := f.answers
	f.answers = nil // one answer a question
	f.mu.Unlock()
	if answers == nil {
		f.say("no file is waiting for an answer")
		return
	}
	answers <- yes
}

// progress prints a transfer's progress, about every two seconds and at the
// end.
func (f *files) progress(verb string) func(transfer.Progress) {
	var last time.Time
	return func(p transfer.Progress) {
		if !p.Done && time.Since(last) < 2*time.Second {
			return
		}
		last = time.Now()
		f.say("%s %s", verb, p)
	}
}

// explain says what went wrong with a transfer in a person's words.
func explain(err error) error {
	switch {
	case errors.Is(err, transfer.ErrInterrupted):
		return errors.New("the call ended before the transfer finished; nothing was kept")
	case errors.Is(err, transfer.ErrChecksum):
		return errors.New("the data arrived damaged (checksum mismatch); nothing was kept")
	}
	return err
}
