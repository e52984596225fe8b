package control

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
)

// DefaultVideo is what /video on opens in a call that sends no video: what
// a call opens unless told otherwise.
const DefaultVideo = capture.Camera

// SourceNames are the names /source takes, for the user.
var SourceNames = strings.Join(capture.VideoSources, "|") + "|" + capture.ImagePrefix + "FILE|FILE"

func (c *Controller) toggle(kind webrtc.RTPCodecType) {
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
func (c *Controller) set(kind webrtc.RTPCodecType, off bool) {
	if c.media == nil {
		c.say("no media to turn on or off")
		return
	}
	if kind == webrtc.RTPCodecTypeVideo && !off && c.media.Video() == nil {
		c.addVideo(DefaultVideo, capture.Test)
		return
	}
	track, what := c.media.Audio, "microphone"
	if kind == webrtc.RTPCodecTypeVideo {
		track, what = c.media.Video(), "video" // the camera, the screen, a picture
	}
	if track == nil {
		c.say("no %s to turn on or off", what)
		return
	}
	var send webrtc.TrackLocal = track
	if off {
		send = nil
	}
	// Every session, those still connecting too, and under memberMu: a
	// session added meanwhile starts as the others are now (startMedia).
	c.memberMu.Lock()
	for _, s := range c.allSessions() {
		if err := s.ReplaceTrack(kind, send); err != nil {
			c.memberMu.Unlock()
			c.say("turning the %s %s: %s", what, onOff(!off), c.explain(err))
			return
		}
	}
	c.mu.Lock()
	if kind == webrtc.RTPCodecTypeVideo {
		c.camOff = off
	} else {
		c.micOff = off
	}
	c.mu.Unlock()
	c.memberMu.Unlock()
	c.say("%s %s", what, onOff(!off))
	// The peer sees the picture stop either way; told, it can say why.
	c.tellMedia()
}

// tellMedia tells the peer what this side sends now.
func (c *Controller) tellMedia() {
	audioOn, videoOn := c.sending()
	for _, s := range c.sessions() {
		if err := s.TellMedia(audioOn, videoOn); err != nil {
			c.say("telling the peer: %s", c.explain(err))
		}
	}
}

// sending says whether the microphone and the video go out now.
func (c *Controller) sending() (audioOn, videoOn bool) {
	if c.media == nil {
		return false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.micOff && c.media.Audio != nil, !c.camOff && c.media.Video() != nil
}

// startMedia turns off in s, a session with one more peer made before its
// offer or answer, what is off in the call: a newcomer gets no sound of a
// muted microphone, not even before it is told. The caller holds memberMu.
func (c *Controller) startMedia(s *call.Session) {
	if c.media == nil {
		return
	}
	c.mu.Lock()
	micOff, camOff := c.micOff, c.camOff
	c.mu.Unlock()
	if micOff && c.media.Audio != nil {
		if err := s.ReplaceTrack(webrtc.RTPCodecTypeAudio, nil); err != nil {
			c.say("turning the microphone off for the newcomer: %s", c.explain(err))
		}
	}
	if camOff && c.media.Video() != nil {
		if err := s.ReplaceTrack(webrtc.RTPCodecTypeVideo, nil); err != nil {
			c.say("turning the video off for the newcomer: %s", c.explain(err))
		}
	}
}

// addVideo adds video to a call that sends none (/video on, /source NAME):
// it opens the first of names that opens, and the call negotiates the new
// track over itself, with no code to paste; the peer starts to show it.
// Falling back to a later name is said, with why the first did not open.
func (c *Controller) addVideo(names ...string) {
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	if c.media.Video() != nil {
		// Added meanwhile (the window's v and the chat's /video on).
		c.set(webrtc.RTPCodecTypeVideo, false)
		return
	}
	if !c.up() {
		c.say("the call is not up yet")
		return
	}
	label, err := c.openVideo(names)
	if err != nil {
		switch {
		case errors.Is(err, capture.ErrUnknownSource):
			c.say("/source %q: no source or file has that name; use %s; the call still sends no video", names[0], SourceNames)
		default:
			c.say("cannot open the video %s: %s; the call still sends no video", names[0], c.explain(err))
		}
		return
	}
	WatchTrack(c.media.Video(), "video", c.say)
	for _, s := range c.sessions() {
		if err := s.AddTrack(c.media.Video()); err != nil {
			c.say("adding the video to the call: %s", c.explain(err))
			return
		}
	}
	c.mu.Lock()
	c.camOff = false
	c.mu.Unlock()
	c.say("video on: sending %s, added to the call", label)
	c.tellMedia()
}

// openVideo opens the first of names that opens, and says so when that is
// not the first.
func (c *Controller) openVideo(names []string) (label string, err error) {
	label, err = c.media.AddVideo(names[0])
	if err == nil || len(names) == 1 {
		return label, err
	}
	first := err
	for _, name := range names[1:] {
		if label, err = c.media.AddVideo(name); err == nil {
			c.say("cannot open the %s (%s): sending %s instead; /source %s picks another", names[0], c.explain(first), label, SourceNames)
			return label, nil
		}
	}
	return "", err
}

func (c *Controller) sourceHelp() {
	c.sourceMu.Lock()
	defer c.sourceMu.Unlock()
	if c.media.Video() == nil {
		c.say("this call sends no video yet: /video on adds the %s, /source %s adds another", DefaultVideo, SourceNames)
		return
	}
	c.say("sending %s; /source %s switches to another", c.media.VideoLabel(), SourceNames)
}

// source makes the video source named name feed the call (/source NAME):
// the peer sees the new picture on the track it has, and the old source is
// closed. A source that cannot open leaves the old one as it was. In a
// call that sends no video, the source is added to it.
func (c *Controller) source(name string) {
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
			c.say("/source %q: no source or file has that name; use %s; still sending %s", name, SourceNames, c.media.VideoLabel())
		default:
			c.say("cannot switch the video to %s: %s; still sending %s", name, c.explain(err), c.media.VideoLabel())
		}
	}
}

// nextSource switches the video to the next source that opens, in the
// order of capture.VideoSources, then the picture or file the call started
// with (the window's s key).
func (c *Controller) nextSource() {
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
		failed = append(failed, fmt.Sprintf("%s: %s", name, c.explain(err)))
	}
	c.say("no other video source opens (%s); still sending %s", strings.Join(failed, "; "), c.media.VideoLabel())
}

// switchSource switches the video to name and says so. The caller holds
// sourceMu.
func (c *Controller) switchSource(name string) error {
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
func (c *Controller) peerMedia(audioOn, videoOn bool) {
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

// WatchTrack tells the person, through say, when the file or device that
// feeds t (the sound or the video, as what says) fails during the call: a
// file found damaged, a camera unplugged. The track has ended; the call
// goes on.
func WatchTrack(t mediadevices.Track, what string, say func(format string, args ...any)) {
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
