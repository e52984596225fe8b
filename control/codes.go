package control

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

// CodeOptions say how this side's code goes out and the peer's comes in:
// the front end's streams, files and choices. Role is required.
type CodeOptions struct {
	Role call.Role

	// In is where a pasted code is read (the chat reads on after it);
	// Out is where the code goes with CodeOut "-"; ErrOut is where a
	// person reads: the code with a line of explanation, its QR codes, and
	// status lines. InTTY and ErrTTY say whether In and ErrOut are
	// terminals, Cols how wide that is.
	In            *bufio.Reader
	Out, ErrOut   io.Writer
	InTTY, ErrTTY bool
	Cols          func() int

	// CodeIn is "" or "-" for a paste on In, or a file or FIFO to read the
	// peer's code from; CodeOut "" for ErrOut, "-" for Out, or a file or
	// FIFO to write this side's to.
	CodeIn, CodeOut string
	// Format is the form of this side's code; FormatAuto lets offline pick,
	// and an answer take its offer's form when that is another program's.
	Format offline.Format
	// Style is that of the QR codes on the terminal; PNG a file that gets
	// the QR code too.
	Style offline.QRStyle
	PNG   string
	// MaxAge is how old the peer's offer may be; 0 for any age.
	MaxAge time.Duration

	// ScanImage is a picture of the peer's QR code to read in place of a
	// paste; Scan reads it with the camera: the call's own when Video (the
	// call's video source) is the camera, a picture or a file, or else one
	// opened alone with Camera's options. TerminalPreview shows what the
	// camera sees on the terminal.
	ScanImage       string
	Scan            bool
	Video           string
	Camera          func() (capture.Options, error)
	TerminalPreview bool

	// Say prints a status line for a person; by default on ErrOut.
	Say     func(format string, args ...any)
	Verbose bool
	Now     func() time.Time // the clock codes' ages are told by

	// The call's media, whose camera reads the peer's code, its output,
	// whose window shows what the camera sees and this side's code, and its
	// session, which tells when the peer has this side's code: the callee
	// shows a long answer until then. Each may be nil.
	Media   *capture.Media
	Output  *render.Output
	Session *call.Session

	// Trace is told when a code is written and read; OnSent when this
	// side's code is out.
	Trace  *trace.Writer
	OnSent func()
}

// Codes moves this side's code out and the peer's code in, by a terminal,
// standard streams, files and FIFOs, pictures or the camera.
type Codes struct {
	opts  CodeOptions
	shown *CodeShow // this side's code, while it is being shown

	// answering is the format of the offer this side answers, which the
	// answer takes unless Format says otherwise.
	answering offline.Format

	// in reads CodeIn, a file or FIFO, from the first code to the last:
	// an invitation's answer is its next one. appending says this side's
	// codes go after those before in CodeOut (ForInvites).
	in        *codeInput
	appending bool
}

// codeInput is CodeIn as the invitations read it: open from the first
// invitation to the end of the call, after the codes read before.
type codeInput struct {
	before int // the codes read before the first invitation
	f      *os.File
	r      *bufio.Reader
	// follow makes the end of the file a wait for more, as tail -f does:
	// a script appends each invitation's answer as it comes.
	follow bool
	ctx    context.Context
}

func (in *codeInput) Read(p []byte) (int, error) {
	for {
		n, err := in.f.Read(p)
		if n > 0 || err != io.EOF || !in.follow {
			return n, err
		}
		select {
		case <-in.ctx.Done():
			return 0, in.ctx.Err()
		case <-time.After(followEvery):
		}
	}
}

// followEvery is how often the end of CodeIn is read again for the next
// code.
const followEvery = 100 * time.Millisecond

// ForInvites returns the Codes of the invitations of a call that is up:
// each offer goes where CodeOut says, after the codes before it, and its
// answer is the next code CodeIn holds (waited for). On a terminal, the
// offer is shown as the caller's is; its answer is pasted into the chat.
func (s *Codes) ForInvites() *Codes {
	inv := &Codes{opts: s.opts, appending: true, in: s.in}
	inv.opts.Role = call.Caller
	inv.opts.PNG = "" // the first offer's picture stays the first offer's
	inv.opts.Scan, inv.opts.ScanImage = false, ""
	return inv
}

// Close closes CodeIn.
func (s *Codes) Close() {
	if s.in != nil && s.in.f != nil {
		s.in.f.Close()
	}
}

// input returns the reader of CodeIn for an invitation: opened once, at
// the code after those read before, and waiting at its end for the next.
func (s *Codes) input(ctx context.Context, want offline.Kind) (*bufio.Reader, error) {
	in := s.in
	in.follow, in.ctx = true, ctx
	if in.f != nil {
		return in.r, nil
	}
	f, err := os.Open(s.opts.CodeIn)
	if err != nil {
		return nil, fmt.Errorf("reading the %s: %w", want, err)
	}
	in.f, in.r = f, bufio.NewReader(in)
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return in.r, nil // a FIFO: what was read before is gone from it
	}
	for range in.before {
		if _, err := offline.ReadAnySignal(in.r); err != nil {
			return nil, fmt.Errorf("reading the %s after the codes before it: %w", want, err)
		}
	}
	return in.r, nil
}

// NewCodes returns the Codes of one call.
func NewCodes(opts CodeOptions) *Codes {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Cols == nil {
		opts.Cols = func() int { return 80 }
	}
	if opts.Say == nil {
		errOut := opts.ErrOut
		opts.Say = func(format string, args ...any) { fmt.Fprintf(errOut, format+"\n", args...) }
	}
	return &Codes{opts: opts, in: &codeInput{}}
}

func (s *Codes) say(format string, args ...any) { s.opts.Say(format, args...) }

// Send writes sig as a code where CodeOut says, in the Format asked for.
// On a terminal it adds a line of explanation and, for a person to scan, a
// QR code; PNG gets the QR code wherever the code goes. A code too long
// for one comfortable QR code is shown as the QR codes of its parts in
// turn (see scan.Split); so is, on the terminal, a code this side shows
// while it scans the peer's, with the camera's preview beside it. It
// returns sig as the peer will read it: decoded from the code written, so
// that the digest of an offer is the one the peer's answer names.
func (s *Codes) Send(ctx context.Context, sig offline.Signal) (offline.Signal, error) {
	format := s.format(sig.Kind)
	text, err := offline.EncodeAs(sig, format)
	if err != nil {
		return offline.Signal{}, err // offline's errors say which signal
	}
	// Of the kind it is: a raw SDP may not say.
	sent, err := offline.ReadSignal(bufio.NewReader(strings.NewReader(text)), sig.Kind)
	if err != nil {
		return offline.Signal{}, fmt.Errorf("reading back this side's %s: %w", sig.Kind, err)
	}
	if format == offline.FormatAuto && sent.Format != offline.FormatCompact && s.opts.Verbose {
		_, why := offline.EncodeAs(sig, offline.FormatCompact)
		s.say("using the full format: %v", why)
	}
	s.say("%s", DescribeReveals(sent))
	return sent, s.show(ctx, sdpTypeOf(sig.Kind), text, sent.Format)
}

// show puts text, this side's code of type what, where CodeOut says,
// and shows its QR codes as send describes.
func (s *Codes) show(ctx context.Context, what webrtc.SDPType, text string, format offline.Format) error {
	io := s.opts
	parts := scan.Split(text, 0)
	if err := s.writeQRPNG(what, text, parts); err != nil {
		return err
	}
	scanNext := s.opts.Scan && s.opts.Role == call.Caller
	var (
		block         *termview.Block // the terminal shows the code in turn, in place
		terminalStyle offline.QRStyle
	)
	switch s.opts.CodeOut {
	case "":
		block, terminalStyle = s.toTerminal(what, text, format, parts)
	case "-":
		if _, err := fmt.Fprintln(io.Out, text); err != nil {
			return err
		}
	default:
		if err := s.writeCode(ctx, what, text, format); err != nil {
			return err
		}
	}
	var out *render.Output // the window shows the code beside the camera, or a long one
	if scanNext || len(parts) > 1 {
		out = s.opts.Output
	}
	pngOut := ""
	if len(parts) > 1 {
		pngOut = s.opts.PNG
	}
	if block == nil && (out == nil || !out.Window()) && pngOut == "" {
		return nil // shown once and for all
	}
	shown, err := NewCodeShow(parts, ShowOptions{Terminal: block, Cols: s.opts.Cols, Style: terminalStyle, Window: out, PNG: pngOut})
	if err != nil {
		return fmt.Errorf("drawing the %s's QR code: %w", what, err)
	}
	s.shown = shown
	return s.keepShowing(ctx)
}

// toTerminal prints this side's code on the terminal with a line of
// explanation and, for a person to scan, its QR codes. It returns the block
// to show them in turn in, with their style, when they are not printed
// once and for all: the code has several parts, or the caller scans the
// answer next and shows the camera's preview beside the offer.
func (s *Codes) toTerminal(what webrtc.SDPType, text string, format offline.Format, parts []string) (*termview.Block, offline.QRStyle) {
	io := s.opts
	fmt.Fprintf(io.ErrOut, "\nYour %s (%s, %d characters). Send it to your peer:\n\n%s\n\n", what, format, len(text), text)
	if !io.ErrTTY {
		return nil, offline.QRStyle{}
	}
	style := s.opts.Style
	scanNext := s.opts.Scan && s.opts.Role == call.Caller
	// A paste on the terminal comes next: the QR codes are drawn once,
	// whatever their number, since a block drawn in place would land on
	// the paste.
	pasteNext := s.opts.Role == call.Caller && !s.opts.Scan && s.opts.ScanImage == "" &&
		(s.opts.CodeIn == "" || s.opts.CodeIn == "-") && io.InTTY
	if (len(parts) == 1 && !scanNext) || pasteNext {
		for i, p := range parts {
			if len(parts) > 1 {
				fmt.Fprintf(io.ErrOut, "QR code %d of %d:\n", i+1, len(parts))
			}
			if err := offline.WriteQRStyle(io.ErrOut, p, style); err != nil {
				// A code too long for one QR symbol still has its text.
				fmt.Fprintf(io.ErrOut, "(no QR code: %v)\n", err)
			}
			fmt.Fprintln(io.ErrOut)
		}
		return nil, style
	}
	if len(parts) > 1 {
		fmt.Fprintf(io.ErrOut, "Its %d QR codes, shown in turn:\n\n", len(parts))
	}
	return termview.NewBlock(io.ErrOut), style
}

// writeCode writes text to the file or FIFO CodeOut names.
func (s *Codes) writeCode(ctx context.Context, what webrtc.SDPType, text string, format offline.Format) error {
	return withContext(ctx, func() error {
		// Not O_EXCL: the path is often a FIFO made for this.
		open := private.Create
		if s.appending {
			open = private.Append
		}
		f, err := open(s.opts.CodeOut)
		if err != nil {
			return fmt.Errorf("writing the %s: %w", what, err)
		}
		_, err = fmt.Fprintln(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing the %s to %s: %w", what, s.opts.CodeOut, err)
		}
		s.say("%s written to %s (%s, %d characters)", what, s.opts.CodeOut, format, len(text))
		return nil
	})
}

// writeQRPNG writes the PNG file: the code's QR code, or for a long
// code, the QR codes of its parts to numbered files beside it, and the
// first part to the file itself, which then shows each part in turn.
func (s *Codes) writeQRPNG(what webrtc.SDPType, text string, parts []string) error {
	path := s.opts.PNG
	if path == "" {
		return nil
	}
	if len(parts) == 1 {
		if err := WriteQRPNGFile(path, text); err != nil {
			return fmt.Errorf("writing the %s's QR code: %w", what, err)
		}
		s.say("QR code of the %s written to %s", what, path)
		return nil
	}
	names, err := WriteQRFiles(path, parts)
	if err == nil {
		err = WriteQRPNGFile(path, parts[0])
	}
	if err != nil {
		return fmt.Errorf("writing the %s's QR codes: %w", what, err)
	}
	s.say("the %s's %d QR codes written to %s; %s shows them in turn until the peer has read them",
		what, len(parts), strings.Join(names, ", "), path)
	return nil
}

// keepShowing shows this side's code in turn, on the terminal, in the
// window and in the PNG file. The caller's show ends once the answer
// is read (see receive); the callee's once the peer has connected, or given
// up. On the terminal, where nothing else may be printed meanwhile, the
// callee's send waits for that; otherwise the show goes on beside the call.
func (s *Codes) keepShowing(ctx context.Context) error {
	s.shown.Start()
	if s.opts.Role == call.Caller {
		return nil
	}
	show := s.shown
	s.shown = nil
	if s.opts.Session == nil {
		show.Stop(false)
		return nil
	}
	wait := func() {
		select {
		case <-s.opts.Session.Ready():
		case <-s.opts.Session.Done():
		case <-ctx.Done():
		}
		show.Stop(false)
	}
	if show.OnTerminal() {
		wait()
	} else {
		go wait()
	}
	return nil
}

// endShow stops the showing of this side's code, and leaves it on the
// terminal.
func (s *Codes) endShow() {
	if s.shown != nil {
		s.shown.Stop(false)
		s.shown = nil
	}
}

// format is the format Format asks for this side's code of kind. By
// default an answer takes the form of its offer when that is not pigeon's
// own (json, sdp, raw JSON: another program reads it); otherwise offline
// picks the compact form when the session fits it, and the full one
// otherwise.
func (s *Codes) format(kind offline.Kind) offline.Format {
	format := s.opts.Format
	if format == offline.FormatAuto && kind == offline.Answer {
		switch s.answering {
		case offline.FormatJSON, offline.FormatSDP, offline.FormatRawJSON:
			format = s.answering
		}
	}
	return format
}

// Receive reads the peer's code of the wanted kind where CodeIn says (or
// from ScanImage, or the camera), and refuses an offer older than MaxAge.
func (s *Codes) Receive(ctx context.Context, want offline.Kind) (offline.Signal, error) {
	defer s.endShow()
	var sig offline.Signal
	var err error
	if s.opts.Scan {
		sig, err = s.scanCode(ctx, want)
	} else {
		err = withContext(ctx, func() error {
			if s.opts.ScanImage != "" {
				var err error
				sig, err = scan.ScanFile(s.opts.ScanImage, want)
				if err != nil {
					return fmt.Errorf("reading the %s from %s: %w", want, s.opts.ScanImage, err)
				}
				return nil
			}
			r := s.opts.In
			switch code := s.opts.CodeIn; {
			case code == "" || code == "-":
				if s.opts.InTTY {
					fmt.Fprintf(s.opts.ErrOut, "Paste your peer's %s and press Enter:\n", want)
				}
			case s.appending:
				var err error
				if r, err = s.input(ctx, want); err != nil {
					return err
				}
			default:
				f, err := os.Open(s.opts.CodeIn)
				if err != nil {
					return fmt.Errorf("reading the %s: %w", want, err)
				}
				defer f.Close()
				r = bufio.NewReader(f)
				defer func() { s.in.before++ }()
			}
			var err error
			sig, err = offline.ReadSignal(r, want)
			return err
		})
	}
	if err != nil {
		return offline.Signal{}, err
	}
	now := s.opts.Now
	if s.opts.Verbose {
		age := "at an unknown time"
		if !sig.Created.IsZero() {
			age = offline.FormatAge(now().Sub(sig.Created)) + " ago"
		}
		s.say("read the peer's %s (%s), made %s", want, sig.Format, age)
	}
	s.say("%s", DescribePeerAddresses(sig))
	// Only an offer can be stale: an answer is made when the offer is read,
	// and the callee's PasteWait, which the caller does not know, bounds
	// how long it may take to come back.
	if want == offline.Offer {
		if err := offline.CheckAge(sig, now(), s.opts.MaxAge); err != nil {
			return offline.Signal{}, err
		}
	}
	return sig, nil
}

// withContext runs f, and gives up on it when ctx ends: opening a FIFO or
// reading a terminal cannot be interrupted otherwise. f is left to finish
// on its own; the process is on its way out by then.
func withContext(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sdpTypeOf(k offline.Kind) webrtc.SDPType {
	if k == offline.Answer {
		return webrtc.SDPTypeAnswer
	}
	return webrtc.SDPTypeOffer
}
