package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/apm"
	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/internal/pionlog"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/mesh"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

// aCall is what one call is made of, from the first code to the hang-up:
// capture, then the session, then where the remote media goes, and the
// controller that joins them.
type aCall struct {
	opts      *CallOptions
	say       func(string, ...any)
	chat      *console.Chat
	tr        *trace.Writer
	latencies trace.Latencies

	media   *capture.Media
	session *call.Session
	cert    *webrtc.Certificate // this side's, on every session
	group   *mesh.Group         // the call's peers: the first session's, and those who join
	invites *control.Invites
	out     *render.Output
	ctl     *control.Controller
}

// runCall runs one call: the codes go through offline, the remote media
// to render, and the person's commands to the controller.
func runCall(ctx context.Context, opts *CallOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	keepPrivate()
	chat := newChat(opts.IO, opts.Name)
	defer chat.Close()
	c := &aCall{opts: opts, chat: chat, say: console.StatusLines(chat.ErrOut())}
	var err error
	if c.tr, err = trace.Open(opts.Trace); err != nil {
		return fmt.Errorf("opening the trace file: %w", err)
	}
	defer c.tr.Close()
	defer c.close()
	if err := c.open(); err != nil {
		return err
	}

	stdin := bufio.NewReader(opts.IO.In)
	codes := c.codes(stdin)
	defer codes.Close()
	c.invites.Codes = codes.ForInvites()
	offer, err := codes.Exchange(ctx, c.say)
	if err != nil {
		if ctx.Err() != nil {
			c.say("stopped before the call started")
			return nil
		}
		return err
	}
	c.say("connecting...")
	if opts.Role == call.Caller {
		c.ctl.Offered(offer)
	}
	chat.Start(stdin)
	go c.ctl.Read(chat.ReadLine, opts.Duration == 0)
	c.waitForTheEnd(ctx, stopSignals)
	err = c.group.Wait()
	chat.Close()
	c.report()
	return err
}

// open opens the media, the session, the output and the controller, in
// that order: each is made with what it needs in hand.
func (c *aCall) open() error {
	opts := c.opts
	// The speakers hand the far end what they play; the microphone's echo
	// canceller takes it out of what the room sends back.
	opts.farEnd = apm.NewFarEnd()
	var err error
	if c.media, err = openMedia(opts); err != nil {
		return err
	}
	c.say("sending %s", c.media.Describe())
	control.WatchTrack(c.media.Audio, "sound", c.say)
	control.WatchTrack(c.media.Video(), "video", c.say)
	if opts.turnPassShown {
		c.say("--turn-pass can be read by any user of this machine while pigeon runs (ps): --turn-pass-file or $%s keeps it out of sight", turnPassEnv)
	}
	var ver *control.Verifier
	if opts.Verify {
		ver = control.NewVerifier(c.say)
	}
	if c.session, err = c.newSession(ver); err != nil {
		return err
	}
	c.group = mesh.New(mesh.Options{Fingerprint: c.session.Fingerprint(), Wait: opts.Timeout,
		NewSession: c.joinSession, Warn: func(err error) { c.say("%s", advise(err)) }})
	// An invitation's code is carried by hand, as the first one's: compact.
	c.invites = &control.Invites{NewSession: func() (*call.Session, error) {
		return call.New(c.sessionOptions(call.Caller, offline.ICECredentials))
	}, AnswerIn: opts.SignalIn != "" && opts.SignalIn != "-"}
	if err := prepareRecording(opts.Record); err != nil {
		return err
	}
	if c.out, err = openOutput(opts, c.say, c.session, c.media, c.onFrame()); err != nil {
		return err
	}
	c.ctl = control.New(control.Options{
		Session: c.session, Media: c.media, Output: c.out,
		Say:     c.say,
		Show:    func(line string) { fmt.Fprintln(c.chat.ErrOut(), line) },
		Status:  c.showStatus,
		Chat:    c.chat,
		Explain: advise,
		Files: control.Files{Dir: opts.DownloadDir, AcceptAll: opts.AcceptFiles, MaxSize: int64(opts.MaxFileSize),
			OnTransfer: pace.Transfer},
		Group: c.group, Invites: c.invites,
		Verifier: ver, Send: opts.Send,
		Typed: opts.IO.InTTY, Verbose: opts.Verbose, Timeout: opts.Timeout, Trace: c.tr,
	})
	return nil
}

// showStatus shows text on the chat's status line, as a status line.
func (c *aCall) showStatus(text string) bool {
	if text != "" {
		text = "pigeon: " + text
	}
	return c.chat.ShowStatus(text)
}

// newSession makes the call's session from the flags.
func (c *aCall) newSession(ver *control.Verifier) (*call.Session, error) {
	opts := c.opts
	cert, err := loadIdentity(opts, c.say)
	if err != nil {
		return nil, err
	}
	verify, err := checkPeer(opts, ver, c.say)
	if err != nil {
		return nil, err
	}
	if cert == nil {
		// One certificate for every session of the call: the people who
		// join know this side by it.
		if cert, err = call.NewCertificate(); err != nil {
			return nil, err
		}
	}
	c.cert = cert
	so := c.sessionOptions(opts.Role, offline.ICECredentials) // compact codes derive the ICE credentials
	so.Verify = verify
	return call.New(so)
}

// sessionOptions are the options of the call's sessions, from the flags.
// Only the first is held for --verify and checked for --peer.
func (c *aCall) sessionOptions(role call.Role, credentials func([]byte) (string, string)) call.Options {
	opts := c.opts
	return call.Options{
		Role:          role,
		Tracks:        localTracks(c.media),
		ICEServers:    opts.iceServers(),
		Interfaces:    opts.Interfaces,
		HideAddresses: opts.HideIPs,
		RelayOnly:     opts.RelayOnly,
		Timeout:       opts.Timeout,
		PasteWait:     opts.PasteWait,
		Credentials:   credentials,
		Certificate:   c.cert,
		LoggerFactory: pionLogs(opts.Verbose, c.say),
		Name:          opts.Name,
	}
}

// joinSession makes a session with someone who joins the call, whose
// descriptions are relayed over the call: they carry the ICE credentials.
func (c *aCall) joinSession(role call.Role) (*call.Session, error) {
	return call.New(c.sessionOptions(role, nil))
}

// codes returns what carries the call's codes, as the flags say.
func (c *aCall) codes(stdin *bufio.Reader) *control.Codes {
	o := codeOptions(c.opts, stdin)
	o.Media, o.Output, o.Session, o.Trace = c.media, c.out, c.session, c.tr
	o.OnSent, o.Say = pace.Settle, c.say
	return control.NewCodes(o)
}

// codeOptions turns the flags of the codes into the options of Codes.
func codeOptions(opts *CallOptions, stdin *bufio.Reader) control.CodeOptions {
	io := opts.IO
	return control.CodeOptions{
		Role: opts.Role,
		In:   stdin, Out: io.Out, ErrOut: io.ErrOut, InTTY: io.InTTY, ErrTTY: io.ErrTTY,
		Cols: func() int {
			if io.TerminalSize == nil {
				return 80
			}
			cols, _ := io.TerminalSize()
			return cols
		},
		CodeIn: opts.SignalIn, CodeOut: opts.SignalOut,
		Format: opts.Format.Format,
		Style:  offline.QRStyle{Invert: opts.QRInvert, NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"},
		PNG:    opts.QRPNG, MaxAge: opts.MaxAge,
		ScanImage: opts.ScanImage, Scan: opts.Scan, Video: opts.Video,
		Camera: func() (capture.Options, error) {
			copts, err := opts.captureOptions(capture.Devices())
			copts.Video, copts.Audio = capture.Camera, capture.None
			return copts, err
		},
		TerminalPreview: chooseView(opts) == render.ViewTerminal,
		Verbose:         opts.Verbose,
	}
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

// onFrame returns, with a trace, what notes each remote picture's time
// from capture to decoding, from the test picture's stamp, for make bench.
func (c *aCall) onFrame() func(*image.YCbCr) {
	if c.opts.Trace == "" {
		return nil
	}
	return func(img *image.YCbCr) {
		if at, ok := capture.ReadStamp(img, time.Now()); ok {
			c.latencies.Add(time.Since(at))
		}
	}
}

// waitForTheEnd waits for the call to end, or hangs up: on Ctrl-C, after
// --duration, or when the person asks.
func (c *aCall) waitForTheEnd(ctx context.Context, stopSignals func()) {
	var timeUp <-chan time.Time
	if c.opts.Duration > 0 {
		timer := time.NewTimer(c.opts.Duration)
		defer timer.Stop()
		timeUp = timer.C
	}
	select {
	case <-c.group.Done():
		return
	case <-ctx.Done():
		c.chat.Close() // the terminal as it was, before a second Ctrl-C
		stopSignals()  // a second Ctrl-C ends pigeon at once
		c.say("hanging up")
	case <-timeUp:
		c.say("hanging up after %s", c.opts.Duration)
	case <-c.ctl.Quit():
		c.say("hanging up")
	}
	c.group.HangUp()
}

// report says, once the call has ended, how it went.
func (c *aCall) report() {
	ended := time.Now()
	c.out.Close()
	c.ctl.Summary(ended)
	traceVideo(c.tr, c.out.Stats(), &c.latencies)
	if c.opts.Record != "" {
		c.say("recorded in %s", c.opts.Record)
	}
	c.ctl.Undelivered()
}

// close releases what open opened.
func (c *aCall) close() {
	if c.group != nil {
		c.group.Close()
	}
	if c.session != nil {
		c.session.Close()
	}
	if c.out != nil {
		c.out.Close()
	}
	if c.ctl != nil {
		c.ctl.Close()
	}
	if c.media != nil {
		c.media.Close()
	}
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

// viewAuto picks the best view the machine has.
const viewAuto = "auto"

// chooseView turns --view into a render view: auto is a window when there
// is a display, the terminal when stdout is one, and nothing otherwise.
func chooseView(opts *CallOptions) render.View {
	switch opts.View {
	case viewAuto, "":
		switch {
		case render.DisplayAvailable():
			return render.ViewWindow
		case opts.IO.OutTTY && opts.IO.TerminalSize != nil:
			return render.ViewTerminal
		}
		return render.ViewNone
	}
	return render.View(opts.View)
}

// validView checks --view.
func validView(v string) error {
	switch v {
	case viewAuto, string(render.ViewWindow), string(render.ViewTerminal), string(render.ViewNone):
		return nil
	}
	return fmt.Errorf("--view %q: use auto, window, terminal or none", v)
}

// openOutput opens where the remote media goes: the view, the speakers and
// any recording.
func openOutput(opts *CallOptions, say func(string, ...any), s *call.Session, media *capture.Media, onFrame func(*image.YCbCr)) (*render.Output, error) {
	ro := render.Options{
		OnVideoFrame:    onFrame,
		Speaker:         opts.Speaker,
		FarEnd:          opts.farEnd,
		Warn:            func(err error) { say("%v", err) },
		RequestKeyFrame: s.RequestKeyFrame,
	}
	if strings.HasSuffix(strings.ToLower(opts.Record), ".webm") {
		ro.RecordFile = opts.Record
	} else {
		ro.RecordDir = opts.Record
	}
	ro.View = chooseView(opts)
	if ro.View == render.ViewTerminal {
		ro.Terminal, ro.TerminalSize = opts.IO.Out, opts.IO.TerminalSize
	}
	out, err := render.New(ro)
	if errors.Is(err, render.ErrNoDisplay) && opts.View == viewAuto {
		say("no window can be opened (%v): the video is not shown", err)
		ro.View = render.ViewNone
		out, err = render.New(ro)
	}
	if err != nil {
		return nil, err
	}
	if ro.View != render.ViewNone {
		media.Preview(out.ShowLocal)
	}
	return out, nil
}
