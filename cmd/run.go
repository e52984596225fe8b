package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

// runCall runs one call from the first code to the hang-up: capture, then
// the session, with remote media going to render and codes going through
// offline.
func runCall(ctx context.Context, opts *CallOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	say := newStatus(opts.IO.ErrOut)
	tr, err := trace.Open(opts.Trace)
	if err != nil {
		return fmt.Errorf("opening the trace file: %w", err)
	}
	defer tr.Close()

	media, err := openMedia(opts)
	if err != nil {
		return err
	}
	defer media.Close()
	say("sending %s", describeMedia(media))

	out, err := render.New(render.Options{RecordDir: opts.RecordDir})
	if err != nil {
		return err
	}
	defer out.Close()

	var (
		connectedAt atomic.Int64 // unix nanoseconds, set from pion's goroutine
		chatOut     = &lockedWriter{w: opts.IO.Out}
	)
	session, err := call.New(call.Options{
		Role:       opts.Role,
		Tracks:     localTracks(media),
		ICEServers: opts.iceServers(),
		Interfaces: opts.Interfaces,
		Timeout:    opts.Timeout,
		PasteWait:  opts.PasteWait,
		OnState: func(state webrtc.PeerConnectionState) {
			switch state {
			case webrtc.PeerConnectionStateConnected:
				tr.Mark(trace.Connected)
				if !connectedAt.CompareAndSwap(0, time.Now().UnixNano()) {
					say("reconnected")
				} else {
					say("connected")
				}
			case webrtc.PeerConnectionStateDisconnected:
				say("peer not responding: reconnecting (for up to %s)...", opts.Timeout)
			default:
				if opts.Verbose {
					say("connection %s", state)
				}
			}
		},
		OnOpen: func() {
			tr.Mark(trace.ChatOpen)
			if opts.IO.InTTY {
				say("chat open: type a line and press Enter to send it; /quit or Ctrl-D hangs up")
			} else {
				say("chat open")
			}
		},
		OnMessage: func(text string) {
			if opts.IO.OutTTY {
				fmt.Fprintf(chatOut, "peer: %s\n", text)
			} else {
				fmt.Fprintln(chatOut, text)
			}
		},
		OnHangUp: func() { say("the peer hung up") },
		OnTrack: func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			say("receiving %s (%s)", track.Kind(), track.Codec().MimeType)
			go func() {
				if err := out.Play(track); err != nil {
					say("receiving %s: %v", track.Kind(), err)
				}
			}()
		},
	})
	if err != nil {
		return err
	}
	defer session.Close()

	stdin := bufio.NewReader(opts.IO.In)
	if err := exchange(ctx, session, signalIO{opts: opts, stdin: stdin}, opts.Role, tr); err != nil {
		if ctx.Err() != nil {
			say("stopped before the call started")
			return nil
		}
		return err
	}
	say("connecting...")

	quit := make(chan struct{})
	go readChat(session, stdin, opts.Duration == 0, quit)
	var timeUp <-chan time.Time
	if opts.Duration > 0 {
		timer := time.NewTimer(opts.Duration)
		defer timer.Stop()
		timeUp = timer.C
	}
	select {
	case <-session.Done():
	case <-ctx.Done():
		stopSignals() // a second Ctrl-C ends pigeon at once
		say("hanging up")
		session.HangUp()
	case <-timeUp:
		say("hanging up after %s", opts.Duration)
		session.HangUp()
	case <-quit:
		say("hanging up")
		session.HangUp()
	}

	err = session.Wait()
	if at := connectedAt.Load(); at != 0 {
		say("call lasted %s", time.Since(time.Unix(0, at)).Round(100*time.Millisecond))
	}
	out.Close()
	tr.Write(trace.Event{Name: trace.Summary, Time: time.Now().UnixNano()})
	for _, st := range out.Stats() {
		say("received %s", st)
	}
	if opts.RecordDir != "" {
		say("recorded in %s", opts.RecordDir)
	}
	if lost := session.Undelivered(); len(lost) > 0 {
		say("%d chat messages never reached the peer:", len(lost))
		for _, text := range lost {
			say("  %s", text)
		}
	}
	return err
}

// exchange moves the offer and the answer between this side and the peer.
func exchange(ctx context.Context, s *call.Session, sig signalIO, role call.Role, tr *trace.Writer) error {
	send := func(desc webrtc.SessionDescription) error {
		err := sig.send(ctx, desc)
		tr.Mark(trace.CodeWritten)
		return err
	}
	receive := func(kind offline.Kind) (webrtc.SessionDescription, error) {
		desc, err := sig.receive(ctx, kind)
		tr.Mark(trace.CodeRead)
		return desc, err
	}
	if role == call.Caller {
		offer, err := s.Offer(ctx)
		if err != nil {
			return err
		}
		if err := send(offer); err != nil {
			return err
		}
		answer, err := receive(offline.Answer)
		if err != nil {
			return err
		}
		return s.Accept(answer)
	}
	offer, err := receive(offline.Offer)
	if err != nil {
		return err
	}
	answer, err := s.Answer(ctx, offer)
	if err != nil {
		return err
	}
	return send(answer)
}

// readChat sends each line of in as a chat message. /quit, and the end of
// input when endHangsUp, close quit once the chat is open, so the peer hears
// the goodbye.
func readChat(s *call.Session, in *bufio.Reader, endHangsUp bool, quit chan<- struct{}) {
	for {
		line, err := in.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "/quit" {
			close(quit)
			return
		}
		if line != "" {
			if s.Send(line) != nil {
				return // the call is over
			}
		}
		if err != nil {
			if endHangsUp && errors.Is(err, io.EOF) {
				select {
				case <-s.Ready():
					close(quit)
				case <-s.Done():
				}
			}
			return
		}
	}
}

func openMedia(opts *CallOptions) (*capture.Media, error) {
	var devices []capture.Device
	if len(opts.Devices) > 0 {
		devices = capture.Devices()
	}
	copts, err := opts.captureOptions(devices)
	if err != nil {
		return nil, err
	}
	return capture.Open(copts)
}

func localTracks(m *capture.Media) []webrtc.TrackLocal {
	var tracks []webrtc.TrackLocal
	for _, t := range m.Tracks() {
		tracks = append(tracks, t)
	}
	return tracks
}

func describeMedia(m *capture.Media) string {
	video, audio := m.VideoLabel, m.AudioLabel
	if video == "" {
		video = "no video"
	}
	if audio == "" {
		audio = "no audio"
	}
	return video + " and " + audio
}

// newStatus returns a printer of status lines, safe to call from pion's
// goroutines.
func newStatus(w io.Writer) func(format string, args ...any) {
	lw := &lockedWriter{w: w}
	return func(format string, args ...any) {
		fmt.Fprintf(lw, "pigeon: "+format+"\n", args...)
	}
}

// lockedWriter serializes writes, one line at a time, from many goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
