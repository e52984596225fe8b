package control

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/transfer"
)

// acceptWait is how long an offered file waits for /accept or /decline.
const acceptWait = 2 * time.Minute

// Files says what becomes of the files the peer sends.
type Files struct {
	Dir       string // where they are saved
	AcceptAll bool   // saved without asking
	MaxSize   int64  // the most one transfer may bring; 0 for no limit
	// OnTransfer, when set, is told each transfer as it starts; the
	// function it returns is told its end (pigeon paces its garbage
	// collector by them).
	OnTransfer func() (done func())
}

// files sends and receives files beside the call, each on a data channel of
// its own.
type files struct {
	ctx     context.Context // ends with the call
	opts    Files
	say     func(string, ...any)
	explain func(error) string
	tr      *trace.Writer
	// status shows the progress of the transfers under way on one line,
	// redrawn in place, and reports whether a person sees it; when not,
	// progress is said in lines.
	status  func(string) bool
	sending sync.WaitGroup

	showing sync.Mutex
	shown   []*shownTransfer // on the status line, in the order they started

	asking  sync.Mutex // one question at a time
	mu      sync.Mutex
	answers chan bool // the answer to the question asked; nil when none is
	running map[int]context.CancelFunc
	next    int // the key of the next transfer in running
}

func newFiles(ctx context.Context, opts Files, say func(string, ...any), status func(string) bool, tr *trace.Writer) *files {
	return &files{ctx: ctx, opts: opts, say: say, explain: func(err error) string { return err.Error() },
		status: status, tr: tr, running: map[int]context.CancelFunc{}}
}

// track gives a transfer a context that /cancel ends, and the collector
// the pace of a transfer; done forgets it.
func (f *files) track() (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancel(f.ctx)
	paced := func() {}
	if f.opts.OnTransfer != nil {
		paced = f.opts.OnTransfer()
	}
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
		paced()
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
	if s.Peer() == call.PeerOther {
		f.say("sending %s: %v", path, call.ErrPeerNotPigeon)
		return
	}
	dc, err := s.OpenChannel(transfer.Label)
	if err != nil {
		f.say("sending %s: %v", path, err)
		return
	}
	f.say("offering %s to the peer", path)
	progress, ended := f.progress("sending")
	res, err := transfer.Send(ctx, dc, path, transfer.SendOptions{OnProgress: progress})
	ended()
	if err != nil {
		f.say("sending %s: %s", path, f.explain(plainly(err)))
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
	progress, ended := f.progress("receiving")
	in := transfer.Receive(ctx, dc, transfer.ReceiveOptions{
		Dir:        f.opts.Dir,
		AcceptAll:  f.opts.AcceptAll,
		MaxSize:    f.opts.MaxSize,
		Accept:     func(o transfer.Offer) bool { return f.ask(ctx, o) },
		OnProgress: progress,
	})
	go func() {
		res, err := in.Wait()
		done()
		ended()
		switch {
		case errors.Is(err, transfer.ErrDeclined):
			f.say("declined %s", res.Name)
		case errors.Is(err, transfer.ErrTooLarge):
			f.say("refused a file: %s", f.explain(err))
		case errors.Is(err, transfer.ErrCanceled), errors.Is(err, transfer.ErrPeerCanceled):
			f.say("receiving a file: %v; nothing was kept", err)
		case err != nil:
			f.say("receiving a file: %s", f.explain(plainly(err)))
		default:
			f.tr.Mark(trace.FileSaved)
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

// progress reports a transfer's progress. While a person watches, it is
// on the status line, redrawn at each report (every
// transfer.ProgressInterval), and taken away at the end, where the outcome
// is said in its place; otherwise it is said in a line about every two
// seconds and one at the end, for a log or a script. ended takes the
// transfer off the status line however it ended.
func (f *files) progress(verb string) (report func(transfer.Progress), ended func()) {
	t := &shownTransfer{verb: verb}
	var last time.Time
	report = func(p transfer.Progress) {
		if f.show(t, p) {
			return
		}
		if !p.Done && time.Since(last) < 2*time.Second {
			return
		}
		last = time.Now()
		f.say("%s %s", verb, p)
	}
	return report, func() { f.show(t, transfer.Progress{Done: true}) }
}

// shownTransfer is a transfer's part of the status line.
type shownTransfer struct {
	verb  string
	p     transfer.Progress
	ended bool
}

// show puts p on the status line, or takes t off it when p is the end, and
// reports whether a person sees the status line. A report after the end
// changes nothing.
func (f *files) show(t *shownTransfer, p transfer.Progress) bool {
	f.showing.Lock()
	defer f.showing.Unlock()
	if t.ended {
		return true
	}
	i := slices.Index(f.shown, t)
	switch {
	case p.Done:
		t.ended = true
		if i >= 0 {
			f.shown = slices.Delete(f.shown, i, i+1)
		}
	case i < 0:
		f.shown = append(f.shown, t)
	}
	t.p = p
	if f.status != nil && f.status(statusLine(f.shown)) {
		return true
	}
	f.shown = slices.DeleteFunc(f.shown, func(s *shownTransfer) bool { return s == t })
	return false
}

// statusLine describes the transfers under way on one line: one in full,
// several in short, side by side.
func statusLine(shown []*shownTransfer) string {
	switch len(shown) {
	case 0:
		return ""
	case 1:
		return shown[0].verb + " " + shown[0].p.String()
	}
	parts := make([]string, len(shown))
	for i, t := range shown {
		parts[i] = fmt.Sprintf("%s %s %.0f%%", t.verb, t.p.Name, t.p.Percent())
		if t.p.Rate > 0 {
			parts[i] += fmt.Sprintf(" %s/s", transfer.FormatBytes(int64(t.p.Rate)))
		}
	}
	return strings.Join(parts, " | ")
}

// plainly says what went wrong with a transfer in a person's words.
func plainly(err error) error {
	switch {
	case errors.Is(err, transfer.ErrInterrupted):
		return errors.New("the call ended before the transfer finished; nothing was kept")
	case errors.Is(err, transfer.ErrChecksum):
		return errors.New("the data arrived damaged (checksum mismatch); nothing was kept")
	}
	return err
}
