package control

import (
	"errors"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/transfer"
)

const (
	audio = webrtc.RTPCodecTypeAudio
	video = webrtc.RTPCodecTypeVideo
)

// listen registers the controller's handlers: those of the window, and
// those of the first session.
func (c *Controller) listen(first *member) {
	c.listenTo(first)
	if c.out != nil {
		c.out.OnKey(c.Key)
		c.out.OnClose(c.HangUp)
	}
}

// listenTo registers the controller's handlers on m's session: what the
// person is told of it, and what its events do to the media. The first
// session's are those of a call of two; the others' say whose they are.
func (c *Controller) listenTo(m *member) {
	s := m.session
	first := s == c.session
	s.OnStateChange(func(ch call.StateChange) {
		if first {
			c.stateChanged(ch)
			return
		}
		c.otherStateChanged(m, ch)
	})
	if first {
		s.OnOpen(c.opened)
	}
	s.OnTargetBitRate(func(bps int) {
		if c.opts.Verbose {
			c.say("video bit rate target %d kbit/s", bps/1000)
		}
		if c.media != nil {
			c.media.SetPeerVideoBitRate(m.key, bps)
		}
	})
	s.OnError(func(err error) { c.say("%s", c.explain(err)) })
	s.OnDataChannel(c.files.receive)
	s.OnMessage(func(text string) { c.received(m, text) })
	s.OnPeerName(func(name string) {
		c.mu.Lock()
		m.name = name
		c.names[m.key] = name
		grouped := c.grouped
		c.mu.Unlock()
		if c.out != nil {
			c.out.NamePeer(m.key, name)
		}
		if grouped {
			c.say("%s joined the call", name)
			return
		}
		if c.opts.Chat != nil {
			c.opts.Chat.PeerNamed(name)
		}
		c.say("the peer's name is %s", name)
	})
	s.OnChatDropped(func(messages int, bytes int64) {
		c.say("%d chat messages from the peer (%s) came while the call was held, past the %d messages or %s kept: they were dropped unread",
			messages, transfer.FormatBytes(bytes), call.MaxHeldMessages, transfer.FormatBytes(call.MaxHeldBytes))
	})
	s.OnHangUp(func() {
		if c.isGrouped() {
			c.say("%s hung up", c.nameOf(m))
			return
		}
		c.say("the peer hung up")
	})
	if first {
		s.OnPeerMedia(c.peerMedia)
	} else {
		s.OnPeerMedia(func(audioOn, videoOn bool) { c.memberMedia(m, audioOn, videoOn) })
	}
	s.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { c.playMember(m, track) })
}

// otherStateChanged tells the person what a change of the connection to
// one more peer means.
func (c *Controller) otherStateChanged(m *member, ch call.StateChange) {
	switch ch.Event {
	case call.EventConnected:
		// Told by the group once the peer is checked (listenGroup).
	case call.EventReconnected:
		c.forceKeyFrame()
		c.say("%s reconnected", c.nameOf(m))
	case call.EventReconnecting:
		c.say("%s not responding: reconnecting (for up to %s)...", c.nameOf(m), c.opts.Timeout)
	}
}

// stateChanged tells the person what a change of the connection means.
func (c *Controller) stateChanged(ch call.StateChange) {
	switch ch.Event {
	case call.EventConnected:
		c.opts.Trace.Mark(trace.Connected)
		c.mu.Lock()
		c.connectedAt = time.Now()
		c.mu.Unlock()
		c.say("connected")
		if st, ok := c.session.Stats(); ok && c.opts.Verbose {
			c.say("path: %s", st.Path())
		}
		go c.sayNumber()
	case call.EventReconnected:
		c.opts.Trace.Mark(trace.Connected)
		// Pictures sent while the path was lost never arrived: send one
		// the peer can start from now. (The encoder holds its lock while
		// it waits for a picture: not in pion's callback.)
		c.forceKeyFrame()
		c.say("reconnected")
	case call.EventReconnecting:
		c.say("peer not responding: reconnecting (for up to %s)...; if it does not come back because both of you "+
			"changed networks, /restart gives a code to send your peer by another way", c.opts.Timeout)
	case call.EventNone:
		if c.opts.Verbose && ch.State != webrtc.PeerConnectionStateConnected && ch.State != webrtc.PeerConnectionStateDisconnected {
			c.say("connection %s", ch.State)
		}
	}
}

// forceKeyFrame has the video encoder make a keyframe, off pion's
// goroutine.
func (c *Controller) forceKeyFrame() {
	if c.media != nil {
		go c.media.ForceKeyFrame()
	}
}

// sayNumber tells the safety number once the exchange that fixes it is
// done, a round trip after the chat opens.
func (c *Controller) sayNumber() {
	select {
	case <-c.session.Ready():
	case <-c.session.Done():
		return
	}
	n, err := c.session.SafetyNumber()
	switch {
	case err == nil && c.isGrouped():
		c.say("safety number with %s: %s; read it to them: if theirs for you differs, someone is in the middle", c.nameOf(c.memberOf(c.session)), n)
	case err == nil:
		c.say("safety number %s: read it to your peer; if theirs differs, hang up: someone is in the middle", n)
	case errors.Is(err, call.ErrNoSafetyNumber):
		c.say("%v", err)
	}
}

// opened tells the person the chat is open, and sends the files to send.
func (c *Controller) opened() {
	c.opts.Trace.Mark(trace.ChatOpen)
	if c.session.Holds() {
		// Held until now: what was encoded meanwhile was dropped.
		c.forceKeyFrame()
	}
	for _, path := range c.opts.Send {
		c.files.start(c.session, path)
	}
	if c.opts.Typed {
		c.say("chat open: type a line and press Enter to send it; /quit or Ctrl-D hangs up")
	} else {
		c.say("chat open")
	}
}

// drain reads track until it ends, throwing the packets away.
func drain(track *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := track.Read(buf); err != nil {
			return
		}
	}
}
