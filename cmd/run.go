package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/logging"
	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/apm"
	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/internal/pionlog"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/transfer"
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
	keepPrivate()
	chat := newChatView(opts.IO, opts.Name)
	defer chat.close()
	say := newStatus(&chat.errOut)
	tr, err := trace.Open(opts.Trace)
	if err != nil {
		return fmt.Errorf("opening the trace file: %w", err)
	}
	defer tr.Close()

	// The speakers hand the far end what they play; the microphone's echo
	// canceller takes it out of what the room sends back.
	opts.farEnd = apm.NewFarEnd()
	media, err := openMedia(opts)
	if err != nil {
		return err
	}
	defer media.Close()
	say("sending %s", describeMedia(media))
	watchTrack(media.Audio, "sound", say)
	watchTrack(media.Video(), "video", say)
	if opts.turnPassShown {
		say("--turn-pass can be read by any user of this machine while pigeon runs (ps): --turn-pass-file or $%s keeps it out of sight", turnPassEnv)
	}

	// The session is made after the output it feeds; the output's hooks
	// reach it through current once it exists.
	var current atomic.Pointer[call.Session]
	ctl := newControls(media, &current, say)
	ctl.show = func(line string) { fmt.Fprintln(&chat.errOut, line) }
	callCtx, endTransfers := context.WithCancel(ctx)
	defer endTransfers()
	ctl.files = newFiles(callCtx, opts, say, chat.showStatus, tr)
	// With a trace, the test picture's stamp gives each remote picture's
	// time from capture to decoding, for make bench.
	var latencies trace.Latencies
	var onFrame func(*image.YCbCr)
	if opts.Trace != "" {
		onFrame = func(img *image.YCbCr) {
			if at, ok := capture.ReadStamp(img, time.Now()); ok {
				latencies.Add(time.Since(at))
			}
		}
	}
	if err := prepareRecording(opts.Record); err != nil {
		return err
	}
	out, err := openOutput(opts, say, &current, ctl, onFrame)
	if err != nil {
		return err
	}
	defer out.Close()

	var (
		connectedAt atomic.Int64 // unix nanoseconds, set from pion's goroutine
		ver         *verifier
	)
	if opts.Verify {
		ver = newVerifier(say)
	}
	cert, err := loadIdentity(opts, say)
	if err != nil {
		return err
	}
	verify, err := checkPeer(opts, ver, say)
	if err != nil {
		return err
	}
	session, err := call.New(call.Options{
		Role:          opts.Role,
		Tracks:        localTracks(media),
		ICEServers:    opts.iceServers(),
		Interfaces:    opts.Interfaces,
		HideAddresses: opts.HideIPs,
		RelayOnly:     opts.RelayOnly,
		Timeout:       opts.Timeout,
		PasteWait:     opts.PasteWait,
		// Compact codes leave the ICE credentials out: both sides derive
		// them from the certificate's fingerprint.
		Credentials:   offline.ICECredentials,
		Verify:        verify,
		Certificate:   cert,
		LoggerFactory: pionLogs(opts.Verbose, say),
		Name:          opts.Name,
	})
	if err != nil {
		return err
	}
	session.OnTargetBitRate(func(bps int) {
		if opts.Verbose {
			say("video bit rate target %d kbit/s", bps/1000)
		}
		media.SetVideoBitRate(bps)
	})
	session.OnStateChange(func(c call.StateChange) {
		switch c.Event {
		case call.EventConnected:
			tr.Mark(trace.Connected)
			connectedAt.Store(time.Now().UnixNano())
			say("connected")
			if st, ok := session.Stats(); ok && opts.Verbose {
				say("path: %s", st.Path())
			}
			go sayNumber(session, say)
		case call.EventReconnected:
			tr.Mark(trace.Connected)
			// Pictures sent while the path was lost never arrived: send
			// one the peer can start from now. (The encoder holds its
			// lock while it waits for a picture: not in pion's
			// callback.)
			go media.ForceKeyFrame()
			say("reconnected")
		case call.EventReconnecting:
			say("peer not responding: reconnecting (for up to %s)...; if it does not come back because both of you "+
				"changed networks, /restart gives a code to send your peer by another way", opts.Timeout)
		}
		if opts.Verbose && c.Event == call.EventNone &&
			c.State != webrtc.PeerConnectionStateConnected && c.State != webrtc.PeerConnectionStateDisconnected {
			say("connection %s", c.State)
		}
	})
	session.OnError(func(err error) { say("%v", err) })
	session.OnDataChannel(ctl.files.receive)
	session.OnOpen(func() {
		tr.Mark(trace.ChatOpen)
		if verify != nil {
			// Held until now: what was encoded meanwhile was dropped.
			go media.ForceKeyFrame()
		}
		for _, path := range opts.Send {
			ctl.files.start(session, path)
		}
		if opts.IO.InTTY {
			say("chat open: type a line and press Enter to send it; /quit or Ctrl-D hangs up")
		} else {
			say("chat open")
		}
	})
	session.OnMessage(chat.received)
	session.OnPeerName(func(name string) {
		chat.peerNamed(name)
		say("the peer's name is %s", name)
	})
	session.OnChatDropped(func(messages int, bytes int64) {
		say("%d chat messages from the peer (%s) came while the call was held, past the %d messages or %s kept: they were dropped unread",
			messages, transfer.FormatBytes(bytes), call.MaxHeldMessages, transfer.FormatBytes(call.MaxHeldBytes))
	})
	session.OnHangUp(func() { say("the peer hung up") })
	session.OnPeerMedia(ctl.peerMedia)
	session.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		say("receiving %s (%s)", track.Kind(), track.Codec().MimeType)
		go func() {
			if err := out.Play(track); err != nil {
				say("receiving %s: %v", track.Kind(), err)
			}
		}()
	})
	defer session.Close()
	current.Store(session)

	stdin := bufio.NewReader(opts.IO.In)
	offer, err := exchange(ctx, session, &signalIO{opts: opts, stdin: stdin, media: media, out: out, session: session}, opts.Role, tr, say)
	if err != nil {
		if ctx.Err() != nil {
			say("stopped before the call started")
			return nil
		}
		return err
	}
	say("connecting...")

	refused := refuseAnswers(session, opts.Role, offer, say)
	chat.start(stdin)
	go readChat(session, chat.readLine, opts.Duration == 0, ctl, func(line string) bool { return ver.take(line) || refused(line) }, ver.end)
	var timeUp <-chan time.Time
	if opts.Duration > 0 {
		timer := time.NewTimer(opts.Duration)
		defer timer.Stop()
		timeUp = timer.C
	}
	select {
	case <-session.Done():
	case <-ctx.Done():
		chat.close()  // the terminal as it was, before a second Ctrl-C
		stopSignals() // a second Ctrl-C ends pigeon at once
		say("hanging up")
		session.HangUp()
	case <-timeUp:
		say("hanging up after %s", opts.Duration)
		session.HangUp()
	case <-ctl.quit:
		say("hanging up")
		session.HangUp()
	}

	err = session.Wait()
	chat.close()
	if at := connectedAt.Load(); at != 0 {
		say("call lasted %s", time.Since(time.Unix(0, at)).Round(100*time.Millisecond))
	}
	out.Close()
	stats := out.Stats()
	traceVideo(tr, stats, &latencies)
	for _, st := range stats {
		say("received %s", st)
	}
	if st, ok := media.EchoStats(); ok && opts.Verbose {
		say("echo canceller: %s", st)
	}
	if opts.Record != "" {
		say("recorded in %s", opts.Record)
	}
	if lost := session.Undelivered(); len(lost) > 0 {
		say("%d chat messages never reached the peer:", len(lost))
		for _, text := range lost {
			say("  %s", text)
		}
	}
	return err
}

// pionLogs is where pion's log lines go: with -v, to status lines worded
// for a person; otherwise nowhere. Never raw on stderr.
func pionLogs(verbose bool, say func(string, ...any)) logging.LoggerFactory {
	if !verbose {
		return pionlog.Discard
	}
	return pionlog.New(func(line string) { say("%s", line) })
}

// traceVideo writes when the first remote picture was decoded, and how many
// were, for the benchmarks.
func traceVideo(tr *trace.Writer, stats []render.Stats, latencies *trace.Latencies) {
	summary := trace.Event{Name: trace.Summary, Time: time.Now().UnixNano()}
	latencies.Fill(&summary)
	for _, st := range stats {
		if st.Kind != webrtc.RTPCodecTypeVideo || st.Decoded == 0 {
			continue
		}
		tr.Write(trace.Event{Name: trace.FirstFrame, Time: st.FirstDecoded.UnixNano()})
		summary.Frames = st.Decoded
		summary.First, summary.Last = st.FirstDecoded.UnixNano(), st.LastDecoded.UnixNano()
		break
	}
	tr.Write(summary)
}

// exchange moves the offer and the answer between this side and the peer.
// It returns the offer, as the peer read or will read it.
func exchange(ctx context.Context, s *call.Session, sig *signalIO, role call.Role, tr *trace.Writer, say func(string, ...any)) (offline.Signal, error) {
	send := func(out offline.Signal) (offline.Signal, error) {
		sent, err := sig.sendSignal(ctx, out)
		tr.Mark(trace.CodeWritten)
		pace.settle()
		return sent, err
	}
	receive := func(kind offline.Kind) (offline.Signal, error) {
		in, err := sig.receiveSignal(ctx, kind)
		tr.Mark(trace.CodeRead)
		return in, err
	}
	if role == call.Caller {
		desc, err := s.Offer(ctx)
		if err != nil {
			return offline.Signal{}, err
		}
		offer, err := send(offline.Signal{Kind: offline.Offer, SDP: desc.SDP, Pigeon: true})
		if err != nil {
			return offline.Signal{}, err
		}
		answer, err := receive(offline.Answer)
		if err != nil {
			return offline.Signal{}, err
		}
		setPeer(s, answer, say)
		return offer, acceptAnswer(s, offer, answer, say)
	}
	offer, err := receive(offline.Offer)
	if err != nil {
		return offline.Signal{}, err
	}
	setPeer(s, offer, say)
	answer, err := s.Answer(ctx, describe(offer))
	if err != nil {
		return offline.Signal{}, err
	}
	// The answer names the offer, so that the caller can tell it from an
	// answer to another, and comes in the offer's form, which the caller
	// reads: JSON for JSON, SDP for SDP.
	sig.answering = offer.Format
	_, err = send(offline.Signal{Kind: offline.Answer, SDP: answer.SDP, AnswersTo: offline.OfferDigest(offer), Pigeon: true})
	return offer, err
}

// setPeer tells the session what the peer is, as its code says: a pigeon's
// code, or JSON and SDP with pigeon's mark, come from a pigeon; anything
// else from another WebRTC program, which gets a plain chat. What that
// means for the call is said (peerNotes).
func setPeer(s *call.Session, peer offline.Signal, say func(string, ...any)) {
	if peer.Pigeon {
		s.SetPeer(call.PeerPigeon)
	} else {
		s.SetPeer(call.PeerOther)
	}
	for _, note := range peerNotes(peer) {
		say("%s", note)
	}
}

// peerNotes says what a call with the maker of peer lacks when that is not
// a pigeon.
func peerNotes(peer offline.Signal) []string {
	if peer.Pigeon {
		return nil
	}
	notes := []string{fmt.Sprintf("the peer's %s is not a pigeon's: the chat is plain text, with no names and no acknowledgements; "+
		"files, /restart and video added in the call need a pigeon", peer.Kind)}
	// A page that makes no data channel before its offer offers none.
	if !slices.ContainsFunc(offline.Inspect(peer).Media, func(m offline.Media) bool { return m.Kind == "application" && !m.Rejected }) {
		notes = append(notes, fmt.Sprintf("the peer's %s has no data channel: this call has media only, no chat", peer.Kind))
	}
	return notes
}

// acceptAnswer hands the session an answer to the offer this side sent, and
// refuses one made for another offer (offline.CheckAnswer) or a second one
// (call.ErrAnswerUsed). An answer that names no offer, an older pigeon's or
// another WebRTC program's, is taken with a warning.
func acceptAnswer(s *call.Session, offer, answer offline.Signal, say func(string, ...any)) error {
	if err := offline.CheckAnswer(offer, answer); err != nil {
		return err
	}
	if answer.AnswersTo == nil {
		say("this answer does not say which offer it answers (an older pigeon's, or another WebRTC program's): it cannot be checked against yours")
	}
	return s.Accept(describe(answer))
}

// refuseAnswers returns, for the caller, what a chat line that holds an
// answer code is taken for: a second answer, refused and not sent to the
// peer (it says false for any other line). A person who pastes an answer
// into a call that is up has the wrong window, or is being sent someone
// else's; either way the call goes on with the answer it has.
func refuseAnswers(s *call.Session, role call.Role, offer offline.Signal, say func(string, ...any)) func(line string) bool {
	return func(line string) bool {
		if role != call.Caller {
			return false
		}
		answer, err := offline.Decode(line)
		if err != nil || answer.Kind != offline.Answer {
			return false
		}
		err = acceptAnswer(s, offer, answer, func(string, ...any) {})
		if err == nil {
			err = call.ErrAnswerUsed // cannot happen: the session has its answer
		}
		say("not sent to the peer: %v", err)
		return true
	}
}

// readChat sends each line that next returns as a chat message, and acts
// on commands (/quit, /mute, ...); lines taken otherwise (a reply to
// --verify's question, a second answer refused) are not sent. end is told
// the input ended. The end of input, when endHangsUp, hangs up once the
// chat is open, so the peer hears the goodbye; Ctrl-C read as a key hangs
// up too.
func readChat(s *call.Session, next func() (string, error), endHangsUp bool, ctl *controls, taken func(line string) bool, end func()) {
	for {
		line, err := next()
		if errors.Is(err, console.ErrInterrupted) {
			end()
			ctl.hangUp()
			return
		}
		if line != "" && !taken(line) && !ctl.command(line) {
			if s.Send(line) != nil {
				return // the call is over
			}
		}
		if err != nil {
			end()
			if endHangsUp && errors.Is(err, io.EOF) {
				select {
				case <-s.Ready():
					ctl.files.wait()
					ctl.hangUp()
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

// watchTrack tells the person when the file or device that feeds t (the
// sound or the video, as what says) fails during the call: a file found
// damaged, a camera unplugged. The track has ended; the call goes on.
func watchTrack(t mediadevices.Track, what string, say func(format string, args ...any)) {
	if t == nil {
		return
	}
	t.OnEnded(func(err error) {
		// Not when the call's end closes the track.
		if errors.Is(err, capture.ErrMediaFile) || errors.Is(err, capture.ErrDeviceFailed) {
			say("the %s stopped: %v", what, err)
		}
	})
}

func localTracks(m *capture.Media) []webrtc.TrackLocal {
	var tracks []webrtc.TrackLocal
	for _, t := range m.Tracks() {
		tracks = append(tracks, t)
	}
	return tracks
}

func describeMedia(m *capture.Media) string {
	video, audio := m.VideoLabel(), m.AudioLabel
	if video == "" {
		video = "no video"
	}
	if audio == "" {
		audio = "no audio"
	}
	return video + " and " + audio
}

// newStatus returns a printer of status lines, safe to call from pion's
// goroutines. A line may hold what the peer chose (its name, a file's
// name, an undelivered message): each is one line, with nothing a terminal
// would obey.
func newStatus(w io.Writer) func(format string, args ...any) {
	lw := &lockedWriter{w: w}
	return func(format string, args ...any) {
		fmt.Fprintf(lw, "pigeon: %s\n", console.Escape(fmt.Sprintf(format, args...), 0))
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
