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

	"github.com/pigeon-call/pigeon/offline"
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
}

// send writes desc as a code where --signal-out says, in the --format
// asked for. On the terminal it adds a line of explanation and, for a person
// to scan, a QR code; --qr-png writes the QR code to a file wherever the
// code goes.
func (s signalIO) send(ctx context.Context, desc webrtc.SessionDescription) error {
	_, err := s.sendSignal(ctx, offline.Signal{Kind: kindOf(desc.Type), SDP: desc.SDP})
	return err
}

// sendSignal writes sig as send does, and returns it as the peer will read
// it: decoded from the code written, so that the digest of an offer is the
// one the peer's answer names.
func (s signalIO) sendSignal(ctx context.Context, sig offline.Signal) (offline.Signal, error) {
	text, format, err := s.encode(sig)
	if err != nil {
		return offline.Signal{}, err
	}
	sent, err := offline.Decode(text)
	if err != nil {
		return offline.Signal{}, fmt.Errorf("reading back this side's %s: %w", sig.Kind, err)
	}
	if err := s.write(ctx, sig.Kind, text, format); err != nil {
		return offline.Signal{}, err
	}
	fmt.Fprintf(s.opts.IO.ErrOut, "pigeon: %s\n", describeReveals(sent))
	return sent, nil
}

// describePeerAddresses says where the peer's code points: the addresses
// this side will send its connectivity checks to, which a person can tell
// apart from a stranger's ("the peer's offer points to 192.168.1.5:5000
// (LAN)").
func describePeerAddresses(sig offline.Signal) string {
	var to []string
	for _, c := range offline.Inspect(sig).Candidates {
		host := c.Address
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		to = append(to, fmt.Sprintf("%s:%d (%s)", host, c.Port, c.Scope()))
	}
	if len(to) == 0 {
		return fmt.Sprintf("the peer's %s gives no address: it must reach this side first", sig.Kind)
	}
	return fmt.Sprintf("the peer's %s points to %s", sig.Kind, strings.Join(to, ", "))
}

// describeReveals says which addresses a code gives away to whoever reads
// it, and of what kind: "this offer reveals 192.168.1.5 (LAN)".
func describeReveals(sig offline.Signal) string {
	var revealed, hidden []string
	for _, c := range offline.Inspect(sig).Candidates {
		if !c.Reveals() {
			hidden = append(hidden, c.Address)
			continue
		}
		what := c.Scope()
		if c.Type != "host" {
			what += ", " + c.Type
		}
		item := fmt.Sprintf("%s (%s)", c.Address, what)
		if !slices.Contains(revealed, item) {
			revealed = append(revealed, item)
		}
	}
	msg := fmt.Sprintf("this %s reveals ", sig.Kind)
	switch {
	case len(revealed) == 0 && len(hidden) == 0:
		return msg + "no address"
	case len(revealed) == 0:
		return msg + "no IP address, only mDNS names"
	}
	return msg + strings.Join(revealed, ", ")
}

// write puts the text of this side's code where --signal-out says.
func (s signalIO) write(ctx context.Context, kind offline.Kind, text string, format offline.Format) error {
	io := s.opts.IO
	if s.opts.QRPNG != "" {
		if err := writeQRPNG(s.opts.QRPNG, text); err != nil {
			return fmt.Errorf("writing the %s's QR code: %w", kind, err)
		}
		fmt.Fprintf(io.ErrOut, "pigeon: QR code of the %s written to %s\n", kind, s.opts.QRPNG)
	}
	switch s.opts.SignalOut {
	case "":
		fmt.Fprintf(io.ErrOut, "\nYour %s (%s, %d characters). Send it to your peer:\n\n%s\n\n", kind, format, len(text), text)
		if io.ErrTTY {
			style := offline.QRStyle{Invert: s.opts.QRInvert, NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"}
			if err := offline.WriteQRStyle(io.ErrOut, text, style); err != nil {
				// A code too long for one QR symbol still has its text.
				fmt.Fprintf(io.ErrOut, "(no QR code: %v)\n", err)
			}
			fmt.Fprintln(io.ErrOut)
		}
		return nil
	case "-":
		_, err := fmt.Fprintln(io.Out, text)
		return err
	}
	return withContext(ctx, func() error {
		// O_TRUNC rather than O_EXCL: the path is often a FIFO made for this.
		f, err := os.OpenFile(s.opts.SignalOut, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("writing the %s: %w", kind, err)
		}
		_, err = fmt.Fprintln(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing the %s to %s: %w", kind, s.opts.SignalOut, err)
		}
		fmt.Fprintf(io.ErrOut, "pigeon: %s written to %s (%s, %d characters)\n", kind, s.opts.SignalOut, format, len(text))
		return nil
	})
}

// encode writes sig in the format --format asks for: by default the
// compact one when the session fits it, and the full one otherwise.
func (s signalIO) encode(sig offline.Signal) (string, offline.Format, error) {
	format := s.opts.Format.Format
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

// writeQRPNG writes the QR code of text to a PNG file at path.
func writeQRPNG(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = offline.WriteQRPNG(f, text, qrModulePixels)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// receive reads the peer's code of the wanted kind where --signal-in says,
// and refuses an offer older than --max-age.
func (s signalIO) receive(ctx context.Context, want offline.Kind) (webrtc.SessionDescription, error) {
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
func (s signalIO) receiveSignal(ctx context.Context, want offline.Kind) (offline.Signal, error) {
	var sig offline.Signal
	err := withContext(ctx, func() error {
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
