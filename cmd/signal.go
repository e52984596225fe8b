package cmd

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/offline"
)

// signalIO moves this side's code out and the peer's code in, by the
// terminal, the standard streams, or files and FIFOs.
type signalIO struct {
	opts  *CallOptions
	stdin *bufio.Reader // shared with the chat, which reads on after the code
}

// send writes desc as a code where --signal-out says. On the terminal it
// adds a line of explanation and, for a person to scan, a QR code.
func (s signalIO) send(ctx context.Context, desc webrtc.SessionDescription) error {
	text, err := offline.Encode(offline.Signal{Kind: kindOf(desc.Type), SDP: desc.SDP})
	if err != nil {
		return fmt.Errorf("encoding the %s: %w", desc.Type, err)
	}
	io := s.opts.IO
	switch s.opts.SignalOut {
	case "":
		fmt.Fprintf(io.ErrOut, "\nYour %s (%d characters). Send it to your peer:\n\n%s\n\n", desc.Type, len(text), text)
		if io.ErrTTY {
			if err := offline.WriteQR(io.ErrOut, text); err != nil {
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
			return fmt.Errorf("writing the %s: %w", desc.Type, err)
		}
		_, err = fmt.Fprintln(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing the %s to %s: %w", desc.Type, s.opts.SignalOut, err)
		}
		fmt.Fprintf(io.ErrOut, "pigeon: %s written to %s (%d characters)\n", desc.Type, s.opts.SignalOut, len(text))
		return nil
	})
}

// receive reads the peer's code of the wanted kind where --signal-in says.
func (s signalIO) receive(ctx context.Context, want offline.Kind) (webrtc.SessionDescription, error) {
	var sig offline.Signal
	err := withContext(ctx, func() error {
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
		return webrtc.SessionDescription{}, err
	}
	return webrtc.SessionDescription{Type: sdpTypeOf(sig.Kind), SDP: sig.SDP}, nil
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
