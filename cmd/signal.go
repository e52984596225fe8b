package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

// qrModulePixels is the size of a QR code's module in --qr-png pictures:
// a version 4 code (33 modules and the quiet zone) makes a picture of 328
// pixels, sharp on any screen a phone photographs.
const qrModulePixels = 8

// signalIO moves this side's code out and the peer's code in, by the
// terminal, the standard streams, or files and FIFOs.
type signalIO struct {
	opts  *CallOptions
	stdin *bufio.Reader // shared with the chat, which reads on after the code
	now   func() time.Time

	// For --scan: the call's media, whose camera reads the peer's code, and
	// its output, whose window shows what the camera sees. Either may be nil.
	media *capture.Media
	out   *render.Output
	// session tells when the peer has this side's code: the callee shows a
	// long answer until then. It may be nil.
	session *call.Session

	shown *codeShow // this side's code, while it is being shown

	// answering is the format of the offer this side answers, which the
	// answer takes unless --format says otherwise.
	answering offline.Format
}

// send writes desc as a code where --signal-out says, in the --format
// asked for. On the terminal it adds a line of explanation and, for a person
// to scan, a QR code; --qr-png writes the QR code to a file wherever the
// code goes. A code too long for one comfortable QR code is shown as the
// QR codes of its parts in turn (see scan.Split); so is, on the terminal, a
// code this side shows while it scans the peer's, with the camera's preview
// beside it.
func (s *signalIO) send(ctx context.Context, desc webrtc.SessionDescription) error {
	_, err := s.sendSignal(ctx, offline.Signal{Kind: kindOf(desc.Type), SDP: desc.SDP})
	return err
}

// sendSignal writes sig as send does, and returns it as the peer will read
// it: decoded from the code written, so that the digest of an offer is the
// one the peer's answer names.
func (s *signalIO) sendSignal(ctx context.Context, sig offline.Signal) (offline.Signal, error) {
	text, format, err := s.encode(sig)
	if err != nil {
		return offline.Signal{}, err
	}
	// Of the kind it is: a raw SDP may not say.
	sent, err := offline.ReadSignal(bufio.NewReader(strings.NewReader(text)), sig.Kind)
	if err != nil {
		return offline.Signal{}, fmt.Errorf("reading back this side's %s: %w", sig.Kind, err)
	}
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s\n", describeReveals(sent))
	return sent, s.show(ctx, sdpTypeOf(sig.Kind), text, format)
}

// show puts text, this side's code of type what, where --signal-out says,
// and shows its QR codes as send describes.
func (s *signalIO) show(ctx context.Context, what webrtc.SDPType, text string, format offline.Format) error {
	io := s.opts.IO
	parts := scan.Split(text, 0)
	if err := s.writeQRPNG(what, text, parts); err != nil {
		return err
	}
	scanNext := s.opts.Scan && s.opts.Role == call.Caller
	var (
		block         *termview.Block // the terminal shows the code in turn, in place
		terminalStyle offline.QRStyle
	)
	switch s.opts.SignalOut {
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
		out = s.out
	}
	pngOut := ""
	if len(parts) > 1 {
		pngOut = s.opts.QRPNG
	}
	if block == nil && (out == nil || !out.Window()) && pngOut == "" {
		return nil // shown once and for all
	}
	shown, err := newCodeShow(parts, block, s.cols, terminalStyle, out)
	if err != nil {
		return fmt.Errorf("drawing the %s's QR code: %w", what, err)
	}
	s.shown = shown
	s.shown.pngOut = pngOut
	return s.keepShowing(ctx)
}

// describePeerAddresses says where the peer's code points: the addresses
// this side will send its connectivity checks to, which a person can tell
// apart from a stranger's ("the peer's offer points to 192.168.1.5:5000
// (LAN)").
func describePeerAddresses(sig offline.Signal) string {
	return describePointsTo(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// describePointsTo says where the peer's code of kind what points, given
// its candidates; those that give no address to reach (a browser's TCP
// candidates of type active, on port 9) point nowhere.
func describePointsTo(what string, candidates []offline.Candidate) string {
	var to []string
	for _, c := range candidates {
		if !c.Reachable() {
			continue
		}
		host := console.Escape(c.Address, 0) // the peer wrote it
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		// Each media section of a description that is not bundled
		// lists its own candidates, often the same ones.
		if item := fmt.Sprintf("%s:%d (%s)", host, c.Port, c.Scope()); !slices.Contains(to, item) {
			to = append(to, item)
		}
	}
	if len(to) == 0 {
		return fmt.Sprintf("the peer's %s gives no address: it must reach this side first", what)
	}
	return fmt.Sprintf("the peer's %s points to %s", what, strings.Join(to, ", "))
}

// describeReveals says which addresses a code gives away to whoever reads
// it, and of what kind: "this offer reveals 192.168.1.5 (LAN)".
func describeReveals(sig offline.Signal) string {
	return describeRevealed(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// describeRevealed says which addresses this side's code of kind what
// gives away, given its candidates.
func describeRevealed(what string, candidates []offline.Candidate) string {
	var revealed, hidden []string
	for _, c := range candidates {
		if !c.Reveals() {
			hidden = append(hidden, c.Address)
			continue
		}
		what := c.Scope()
		if c.Type != "host" {
			what += ", " + console.Escape(c.Type, 0) // inspect shows the peer's codes too
		}
		item := fmt.Sprintf("%s (%s)", c.Address, what)
		if !slices.Contains(revealed, item) {
			revealed = append(revealed, item)
		}
	}
	msg := fmt.Sprintf("this %s reveals ", what)
	switch {
	case len(revealed) == 0 && len(hidden) == 0:
		return msg + "no address"
	case len(revealed) == 0:
		return msg + "no IP address, only mDNS names"
	}
	return msg + strings.Join(revealed, ", ")
}

// toTerminal prints this side's code on the terminal with a line of
// explanation and, for a person to scan, its QR codes. It returns the block
// to show them in turn in, with their style, when they are not printed
// once and for all: the code has several parts, or the caller scans the
// answer next and shows the camera's preview beside the offer.
func (s *signalIO) toTerminal(what webrtc.SDPType, text string, format offline.Format, parts []string) (*termview.Block, offline.QRStyle) {
	io := s.opts.IO
	fmt.Fprintf(io.ErrOut, "\nYour %s (%s, %d characters). Send it to your peer:\n\n%s\n\n", what, format, len(text), text)
	if !io.ErrTTY {
		return nil, offline.QRStyle{}
	}
	style := offline.QRStyle{Invert: s.opts.QRInvert, NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"}
	scanNext := s.opts.Scan && s.opts.Role == call.Caller
	// A paste on the terminal comes next: the QR codes are drawn once,
	// whatever their number, since a block drawn in place would land on
	// the paste.
	pasteNext := s.opts.Role == call.Caller && !s.opts.Scan && s.opts.ScanImage == "" &&
		(s.opts.SignalIn == "" || s.opts.SignalIn == "-") && io.InTTY
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

// writeCode writes text to the file or FIFO --signal-out names.
func (s *signalIO) writeCode(ctx context.Context, what webrtc.SDPType, text string, format offline.Format) error {
	return withContext(ctx, func() error {
		// Not O_EXCL: the path is often a FIFO made for this.
		f, err := private.Create(s.opts.SignalOut)
		if err != nil {
			return fmt.Errorf("writing the %s: %w", what, err)
		}
		_, err = fmt.Fprintln(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing the %s to %s: %w", what, s.opts.SignalOut, err)
		}
		fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s written to %s (%s, %d characters)\n", what, s.opts.SignalOut, format, len(text))
		return nil
	})
}

// writeQRPNG writes the --qr-png file: the code's QR code, or for a long
// code, the QR codes of its parts to numbered files beside it, and the
// first part to the file itself, which then shows each part in turn.
func (s *signalIO) writeQRPNG(what webrtc.SDPType, text string, parts []string) error {
	path := s.opts.QRPNG
	if path == "" {
		return nil
	}
	if len(parts) == 1 {
		if err := writeQRPNGFile(path, text); err != nil {
			return fmt.Errorf("writing the %s's QR code: %w", what, err)
		}
		fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: QR code of the %s written to %s\n", what, path)
		return nil
	}
	names, err := writeQRFiles(path, parts)
	if err == nil {
		err = writeQRPNGFile(path, parts[0])
	}
	if err != nil {
		return fmt.Errorf("writing the %s's QR codes: %w", what, err)
	}
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: the %s's %d QR codes written to %s; %s shows them in turn until the peer has read them\n",
		what, len(parts), strings.Join(names, ", "), path)
	return nil
}

// keepShowing shows this side's code in turn, on the terminal, in the
// window and in the --qr-png file. The caller's show ends once the answer
// is read (see receive); the callee's once the peer has connected, or given
// up. On the terminal, where nothing else may be printed meanwhile, the
// callee's send waits for that; otherwise the show goes on beside the call.
func (s *signalIO) keepShowing(ctx context.Context) error {
	s.shown.start()
	if s.opts.Role == call.Caller {
		return nil
	}
	show := s.shown
	s.shown = nil
	if s.session == nil {
		show.stop(false)
		return nil
	}
	wait := func() {
		select {
		case <-s.session.Ready():
		case <-s.session.Done():
		case <-ctx.Done():
		}
		show.stop(false)
	}
	if show.block != nil {
		wait()
	} else {
		go wait()
	}
	return nil
}

// endShow stops the showing of this side's code, and leaves it on the
// terminal.
func (s *signalIO) endShow() {
	if s.shown != nil {
		s.shown.stop(false)
		s.shown = nil
	}
}

// encode writes sig in the format --format asks for. By default an answer
// takes the form of its offer when that is not pigeon's own (json, sdp, raw
// JSON: another program reads it); otherwise the compact form is written
// when the session fits it, and the full one otherwise.
func (s *signalIO) encode(sig offline.Signal) (string, offline.Format, error) {
	format := s.opts.Format.Format
	if format == offline.FormatAuto && sig.Kind == offline.Answer {
		switch s.answering {
		case offline.FormatJSON, offline.FormatSDP, offline.FormatRawJSON:
			format = s.answering
		}
	}
	if format == offline.FormatAuto {
		text, err := offline.EncodeAs(sig, offline.FormatCompact)
		if err == nil {
			return text, offline.FormatCompact, nil
		}
		if !errors.Is(err, offline.ErrNotCompact) {
			return "", 0, err
		}
		if s.opts.Verbose {
			fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: using the full format: %v\n", err)
		}
		format = offline.FormatFull
	}
	text, err := offline.EncodeAs(sig, format)
	if err != nil {
		return "", 0, err // offline's errors say which signal
	}
	return text, format, nil
}

// writeQRPNG writes the QR code of text to f, and closes it.
func writeQRPNG(f *os.File, text string) error {
	err := offline.WriteQRPNG(f, text, qrModulePixels)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// receive reads the peer's code of the wanted kind where --signal-in says,
// and refuses an offer older than --max-age.
func (s *signalIO) receive(ctx context.Context, want offline.Kind) (webrtc.SessionDescription, error) {
	sig, err := s.receiveSignal(ctx, want)
	if err != nil {
		return webrtc.SessionDescription{}, err
	}
	return describe(sig), nil
}

// describe returns sig as pion takes it.
func describe(sig offline.Signal) webrtc.SessionDescription {
	return webrtc.SessionDescription{Type: sdpTypeOf(sig.Kind), SDP: sig.SDP}
}

// receiveSignal reads the peer's code as receive does, and returns the
// signal with all it says.
func (s *signalIO) receiveSignal(ctx context.Context, want offline.Kind) (offline.Signal, error) {
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
			r := s.stdin
			switch s.opts.SignalIn {
			case "", "-":
				if s.opts.IO.InTTY {
					fmt.Fprintf(s.opts.IO.ErrOut, "Paste your peer's %s and press Enter:\n", want)
				}
			default:
				f, err := os.Open(s.opts.SignalIn)
				if err != nil {
					return fmt.Errorf("reading the %s: %w", want, err)
				}
				defer f.Close()
				r = bufio.NewReader(f)
			}
			var err error
			sig, err = offline.ReadSignal(r, want)
			return err
		})
	}
	if err != nil {
		return offline.Signal{}, err
	}
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	if s.opts.Verbose {
		age := "at an unknown time"
		if !sig.Created.IsZero() {
			age = offline.FormatAge(now().Sub(sig.Created)) + " ago"
		}
		fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: read the peer's %s (%s), made %s\n", want, sig.Format, age)
	}
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s\n", describePeerAddresses(sig))
	// Only an offer can be stale: an answer is made when the offer is read,
	// and the callee's --paste-wait, which the caller does not know, bounds
	// how long it may take to come back.
	if want == offline.Offer {
		if err := offline.CheckAge(sig, now(), s.opts.MaxAge); err != nil {
			return offline.Signal{}, err
		}
	}
	return sig, nil
}

// formatFlag is the value of --format: a format Encode can write, checked
// as the flags are parsed.
type formatFlag struct{ offline.Format }

func (f *formatFlag) Set(name string) error {
	format, err := offline.ParseFormat(name)
	if err != nil {
		return err
	}
	f.Format = format
	return nil
}

func (f *formatFlag) Type() string { return "format" }

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

func kindOf(t webrtc.SDPType) offline.Kind {
	if t == webrtc.SDPTypeAnswer {
		return offline.Answer
	}
	return offline.Offer
}

func sdpTypeOf(k offline.Kind) webrtc.SDPType {
	if k == offline.Answer {
		return webrtc.SDPTypeAnswer
	}
	return webrtc.SDPTypeOffer
}
