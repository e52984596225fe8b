package cmd

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/transfer"
)

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

// openOutput opens where the remote media goes: the view, the speakers and
// any recording. The session does not exist yet; session returns it once it
// does. Keys in the window act on the call through controls.
func openOutput(opts *CallOptions, say func(string, ...any), session *atomic.Pointer[call.Session], ctl *controls, onFrame func(*image.YCbCr)) (*render.Output, error) {
	ro := render.Options{
		OnVideoFrame: onFrame,
		Speaker:      opts.Speaker,
		Warn:         func(err error) { say("%v", err) },
		RequestKeyFrame: func(ssrc webrtc.SSRC) {
			if s := session.Load(); s != nil {
				s.RequestKeyFrame(ssrc)
			}
		},
		OnKey:   ctl.key,
		OnClose: ctl.hangUp,
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
	ctl.out = out
	if ro.View != render.ViewNone {
		ctl.media.Preview(out.ShowLocal)
	}
	return out, nil
}

// controls are what a person changes during the call, from a key in the
// window or a command in the chat: the microphone, the camera, the video's
// source, the screen and the hang-up.
type controls struct {
	media   *capture.Media
	session *atomic.Pointer[call.Session]
	out     *render.Output
	files   *files
	say     func(string, ...any)
	show    func(line string) // prints a line as it is, for a person to copy: a restart code
	quit    chan struct{}     // closed to hang up
	once    sync.Once

	// sourceMu makes one video source switch, or one video added to a
	// call without it, at a time.
	sourceMu    sync.Mutex
	firstSource string // --video

	mu             sync.Mutex
	micOff, camOff bool
	// What the peer last said it sends.
	peerKnown, peerAudio, peerVideo bool
}

func newControls(media *capture.Media, session *atomic.Pointer[call.Session], say func(string, ...any)) *controls {
	c := &controls{media: media, session: session, say: say, quit: make(chan struct{})}
	if media != nil {
		c.firstSource = media.VideoName()
	}
	return c
}

func (c *controls) hangUp() { c.once.Do(func() { close(c.quit) }) }

// key acts on a key pressed in the window.
func (c *controls) key(k rune) {
	switch k {
	case 'q':
		c.hangUp()
	case 'm':
		c.toggle(webrtc.RTPCodecTypeAudio)
	case 'v':
		c.toggle(webrtc.RTPCodecTypeVideo)
	case 's':
		if c.media != nil && c.media.Video() == nil {
			c.addVideo(defaultVideo, capture.Test)
			break
		}
		c.nextSource()
	case 'f':
		if c.out != nil {
			c.out.SetFullscreen(!c.out.Fullscreen())
		}
	}
}

// command acts on a chat line that is a command, and reports whether it was
// one: /quit, /mute, /unmute, /video off, /video on, /source NAME, /send
// PATH, /accept, /decline, /cancel, /stats, /restart [CODE], /help. A
// restart code pasted alone is taken as /restart CODE.
func (c *controls) command(line string) bool {
	if code, ok := strings.CutPrefix(strings.TrimSpace(line), "/restart "); ok || offline.IsRestartCode(line) {
		if !ok {
			code = line
		}
		go c.takeRestartCode(code)
		return true
	}
	if name, ok := strings.CutPrefix(line, "/source "); ok && strings.TrimSpace(name) != "" {
		c.source(strings.TrimSpace(name))
		return true
	}
	if path, ok := strings.CutPrefix(line, "/send "); ok && c.files != nil {
		if s := c.session.Load(); s != nil {
			c.files.start(s, strings.TrimSpace(path))
		}
		return true
	}
	switch strings.Join(strings.Fields(line), " ") {
	case "/accept", "/decline":
		if c.files != nil {
			c.files.answer(line == "/accept")
		}
	case "/cancel":
		if c.files != nil {
			c.files.cancel()
		}
	case "/quit":
		c.hangUp()
	case "/mute":
		c.set(webrtc.RTPCodecTypeAudio, true)
	case "/unmute":
		c.set(webrtc.RTPCodecTypeAudio, false)
	case "/video off":
		c.set(webrtc.RTPCodecTypeVideo, true)
	case "/video on":
		c.set(webrtc.RTPCodecTypeVideo, false)
	case "/source":
		c.sourceHelp()
	case "/stats":
		c.stats()
	case "/restart":
		go c.restartCode()
	case "/help":
		c.say("commands: /send PATH, /accept, /decline, /cancel, /mute, /unmute, /video off, /video on, /source %s, /stats, "+
			"/restart (a code for the peer when both of you changed networks; /restart CODE, or the code alone, takes the peer's), "+
			"/quit; in the window: m, v, s (the next video source), f, q", sourceNames)
	default:
		if strings.HasPrefix(line, "/") {
			c.say("unknown command %q: /help lists them", line)
			return true
		}
		return false
	}
	return true
}

func (c *controls) toggle(kind webrtc.RTPCodecType) {
	if kind == webrtc.RTPCodecTypeVideo && c.media != nil && c.media.Video() == nil {
		c.set(kind, false) // no video yet: v adds it
		return
	}
	c.mu.Lock()
	off := c.micOff
	if kind == webrtc.RTPCodecTypeVideo {
		off = c.camOff
	}
	c.mu.Unlock()
	c.set(kind, !off)
}

// set stops or resumes sending one kind of media. The track keeps running,
// so turning it back on is instant. In a call that sends no video, turning
// the video on adds it.
func (c *controls) set(kind webrtc.RTPCodecType, off bool) {
	if c.media == nil {
		c.say("no media to turn on or off")
		return
	}
	if kind == webrtc.RTPCodecTypeVideo && !off && c.media.Video() == nil {
		c.addVideo(defaultVideo, capture.Test)
		return
	}
	track, what := c.media.Audio, "microphone"
	if kind == webrtc.RTPCodecTypeVideo {
		track, what = c.media.Video(), "video" // the camera, the screen, a picture
	}
	s := c.session.Load()
	if track == nil || s == nil {
		c.say("no %s to turn on or off", what)
		return
	}
	var send webrtc.TrackLocal = track
	if off {
		send = nil
	}
	if err := s.ReplaceTrack(kind, send); err != nil {
		c.say("turning the %s %s: %v", what, onOff(!off), err)
		return
	}
	c.mu.Lock()
	if kind == webrtc.RTPCodecTypeVideo {
		c.camOff = off
	} else {
		c.micOff = off
	}
	c.mu.Unlock()
	c.say("%s %s", what, onOff(!off))
	// The peer sees the picture stop either way; told, it can say why.
	c.tellMedia(s)
}

// tellMedia tells the peer what this side sends now.
func (c *controls) tellMedia(s *call.Session) {
	c.mu.Lock()
	audioOn, videoOn := !c.micOff && c.media.Audio != nil, !c.camOff && c.media.Video() != nil
	c.mu.Unlock()
	if err := s.TellMedia(audioOn, videoOn); err != nil {
		c.say("telling the peer: %v", err)
	}
}

// defaultVideo is what /video on opens in a call that sends no video: what
// --video opens unless told otherwise.
const defaultVideo = capture.Camera

// addVideo adds video to a call that sends none (/video on, /source NAME):
// it opens the first of names that opens, and the call negotiates the new
// track over itself, with no code to paste; the peer starts to show it.
// Falling back to a later name is said, with why the first did not open.
func (c *controls) addVideo(names ...string) {
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	if c.media.Video() != nil {
		// Added meanwhile (the window's v and the chat's /video on).
		c.set(webrtc.RTPCodecTypeVideo, false)
		return
	}
	s := c.session.Load()
	if s == nil {
		c.say("the call is not up yet")
		return
	}
	label, err := c.media.AddVideo(names[0])
	if err != nil && len(names) > 1 {
		first := err
		for _, name := range names[1:] {
			if label, err = c.media.AddVideo(name); err == nil {
				c.say("cannot open the %s (%v): sending %s instead; /source %s picks another", names[0], first, label, sourceNames)
				break
			}
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, capture.ErrUnknownSource):
			c.say("/source %q: no source or file has that name; use %s; the call still sends no video", names[0], sourceNames)
		default:
			c.say("cannot open the video %s: %v; the call still sends no video", names[0], err)
		}
		return
	}
	watchTrack(c.media.Video(), "video", c.say)
	if err := s.AddTrack(c.media.Video()); err != nil {
		c.say("adding the video to the call: %v", err)
		return
	}
	c.mu.Lock()
	c.camOff = false
	c.mu.Unlock()
	c.say("video on: sending %s, added to the call", label)
	c.tellMedia(s)
}

// sourceNames are the names /source takes, for the user.
var sourceNames = strings.Join(capture.VideoSources, "|") + "|" + capture.ImagePrefix + "FILE|FILE"

func (c *controls) sourceHelp() {
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	if c.media.Video() == nil {
		c.say("this call sends no video yet: /video on adds the %s, /source %s adds another", defaultVideo, sourceNames)
		return
	}
	c.say("sending %s; /source %s switches to another", c.media.VideoLabel(), sourceNames)
}

// source makes the video source named name feed the call (/source NAME):
// the peer sees the new picture on the track it has, and the old source is
// closed. A source that cannot open leaves the old one as it was. In a
// call that sends no video, the source is added to it.
func (c *controls) source(name string) {
	if name == capture.None {
		c.say("/source none: /video off stops sending the video, and /video on sends it again")
		return
	}
	if c.media.Video() == nil {
		c.addVideo(name)
		return
	}
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	if name == c.media.VideoName() {
		c.say("already sending %s", c.media.VideoLabel())
		return
	}
	if err := c.switchSource(name); err != nil {
		switch {
		case errors.Is(err, capture.ErrUnknownSource):
			c.say("/source %q: no source or file has that name; use %s; still sending %s", name, sourceNames, c.media.VideoLabel())
		default:
			c.say("cannot switch the video to %s: %v; still sending %s", name, err, c.media.VideoLabel())
		}
	}
}

// nextSource switches the video to the next source that opens, in the
// order of capture.VideoSources, then the picture or file the call started
// with (the window's s key).
func (c *controls) nextSource() {
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	names := capture.VideoSources
	_, picture := capture.ImagePath(c.firstSource)
	if _, file := capture.VideoFile(c.firstSource); picture || file {
		names = append(slices.Clone(names), c.firstSource)
	}
	now := c.media.VideoName()
	current := max(slices.Index(names, now), 0)
	var failed []string
	for i := 1; i <= len(names); i++ {
		name := names[(current+i)%len(names)]
		if name == now {
			continue
		}
		err := c.switchSource(name)
		if err == nil {
			return
		}
		failed = append(failed, fmt.Sprintf("%s: %v", name, err))
	}
	c.say("no other video source opens (%s); still sending %s", strings.Join(failed, "; "), c.media.VideoLabel())
}

// switchSource switches the video to name and says so. The caller holds
// sourceMu.
func (c *controls) switchSource(name string) error {
	label, err := c.media.SwitchVideo(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	off := c.camOff
	c.mu.Unlock()
	if off {
		c.say("the video now shows %s (it is off: /video on sends it)", label)
	} else {
		c.say("sending %s", label)
	}
	return nil
}

// peerMedia tells the user what the peer turned on or off.
func (c *controls) peerMedia(audioOn, videoOn bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.peerKnown && audioOn == c.peerAudio && videoOn == c.peerVideo {
		return
	}
	if !c.peerKnown || audioOn != c.peerAudio {
		c.say("the peer's microphone is %s", onOff(audioOn))
	}
	if !c.peerKnown || videoOn != c.peerVideo {
		c.say("the peer's video is %s", onOff(videoOn))
	}
	c.peerKnown, c.peerAudio, c.peerVideo = true, audioOn, videoOn
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// validView checks --view.
func validView(v string) error {
	switch v {
	case viewAuto, string(render.ViewWindow), string(render.ViewTerminal), string(render.ViewNone):
		return nil
	}
	return fmt.Errorf("--view %q: use auto, window, terminal or none", v)
}

// stats prints how the call is doing: the path, the round trip, the bytes
// each way and their rate, losses, and what arrives.
func (c *controls) stats() {
	s := c.session.Load()
	if s == nil {
		c.say("the call is not up yet")
		return
	}
	st, ok := s.Stats()
	if !ok {
		c.say("the call is not up yet")
		return
	}
	c.say("path: %s", st.Path())
	c.say("round trip %s; sending %s, receiving %s; sent %s, received %s", st.RTT.Round(100*time.Microsecond),
		bitRate(st.SendBitRate), bitRate(st.ReceiveBitRate),
		transfer.FormatBytes(int64(st.Sent)), transfer.FormatBytes(int64(st.Received)))
	c.say("packets lost on the way here: %d of %d (%.2f%%)", max(st.PacketsLost, 0),
		max(st.PacketsLost, 0)+st.PacketsReceived, st.LossPercent())
	if c.out != nil {
		now := time.Now()
		for _, r := range c.out.Stats() {
			if r.Packets == 0 {
				continue
			}
			current := bitRate(r.BitRate)
			if r.Kind == webrtc.RTPCodecTypeVideo {
				current = fmt.Sprintf("%.1f fps, %s", r.FPS, current)
			}
			if now.Sub(r.Last) > 2*time.Second {
				current = "nothing for " + now.Sub(r.Last).Round(time.Second).String()
			}
			c.say("receiving %s; now %s", r, current)
		}
	}
}

// bitRate writes bits a second for a person: "950 kbit/s", "1.2 Mbit/s".
func bitRate(bps float64) string {
	if bps >= 1e6 {
		return fmt.Sprintf("%.1f Mbit/s", bps/1e6)
	}
	return fmt.Sprintf("%.0f kbit/s", bps/1e3)
}

// restartWait bounds how long making or taking a restart code may take:
// gathering the candidates, with a STUN server that may not answer.
const restartWait = 15 * time.Second

// restartCode prints a restart code for the peer (/restart): for a call
// whose path is lost because both sides moved, it carries this side's new
// addresses by another way than the call.
func (c *controls) restartCode() {
	s := c.session.Load()
	if s == nil {
		c.say("the call is not up yet")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), restartWait)
	defer cancel()
	code, err := s.RestartCode(ctx)
	if err != nil {
		c.say("/restart: %v", err)
		return
	}
	c.say("restart code: send it to your peer by another way (a messenger, email) to paste into their pigeon's chat, " +
		"then paste the code their pigeon prints back into this one:")
	c.show(code)
	c.revealed(code)
}

// takeRestartCode takes the peer's restart code, pasted into the chat, and
// prints this side's in reply unless the peer's was a reply itself.
func (c *controls) takeRestartCode(code string) {
	s := c.session.Load()
	if s == nil {
		c.say("the call is not up yet")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), restartWait)
	defer cancel()
	reply, err := s.ApplyRestartCode(ctx, code)
	if err != nil {
		c.say("restart code refused: %v", err)
		return
	}
	if r, err := offline.DecodeRestart(code); err == nil {
		c.say("%s", describePointsTo("restart code", r.Addresses()))
	}
	if reply == "" {
		c.say("restart code taken: reconnecting to the peer's new address...")
		return
	}
	c.say("restart code taken: reconnecting; send this code back to your peer by the same way, to paste into their pigeon's chat:")
	c.show(reply)
	c.revealed(reply)
}

// revealed says which addresses this side's restart code gives away.
func (c *controls) revealed(code string) {
	if r, err := offline.DecodeRestart(code); err == nil {
		c.say("%s", describeRevealed("restart code", r.Addresses()))
	}
}
