package cmd

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

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

	shown *control.CodeShow // this side's code, while it is being shown

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
		fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: using the full format: %v\n", why)
	}
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s\n", control.DescribeReveals(sent))
	return sent, s.show(ctx, sdpTypeOf(sig.Kind), text, sent.Format)
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
	shown, err := control.NewCodeShow(parts, control.ShowOptions{Terminal: block, Cols: s.cols, Style: terminalStyle, Window: out, PNG: pngOut})
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
		if err := control.WriteQRPNGFile(path, text); err != nil {
			return fmt.Errorf("writing the %s's QR code: %w", what, err)
		}
		fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: QR code of the %s written to %s\n", what, path)
		return nil
	}
	names, err := control.WriteQRFiles(path, parts)
	if err == nil {
		err = control.WriteQRPNGFile(path, parts[0])
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
	s.shown.Start()
	if s.opts.Role == call.Caller {
		return nil
	}
	show := s.shown
	s.shown = nil
	if s.session == nil {
		show.Stop(false)
		return nil
	}
	wait := func() {
		select {
		case <-s.session.Ready():
		case <-s.session.Done():
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
func (s *signalIO) endShow() {
	if s.shown != nil {
		s.shown.Stop(false)
		s.shown = nil
	}
}

// format is the format --format asks for this side's code of kind. By
// default an answer takes the form of its offer when that is not pigeon's
// own (json, sdp, raw JSON: another program reads it); otherwise offline
// picks the compact form when the session fits it, and the full one
// otherwise.
func (s *signalIO) format(kind offline.Kind) offline.Format {
	format := s.opts.Format.Format
	if format == offline.FormatAuto && kind == offline.Answer {
		switch s.answering {
		case offline.FormatJSON, offline.FormatSDP, offline.FormatRawJSON:
			format = s.answering
		}
	}
	return format
}

// receive reads the peer's code of the wanted kind where --signal-in says,
// and refuses an offer older than --max-age.
func (s *signalIO) receive(ctx context.Context, want offline.Kind) (webrtc.SessionDescription, error) {
	sig, err := s.receiveSignal(ctx, want)
	if err != nil {
		return webrtc.SessionDescription{}, err
	}
	return control.Description(sig), nil
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
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s\n", control.DescribePeerAddresses(sig))
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
