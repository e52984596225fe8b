// Package control is a call's controller, for any front end.
//
// It is what the call does with the person's commands (/mute, /video,
// /source, /send, /restart...) and the window's keys, its media and their
// sources, its files, stats and restart codes, and what the person is told
// of each event of the call (Controller); and how the offer and the answer
// are carried by hand (Codes): shown as text and QR codes on a terminal,
// in the window or a PNG, read from a paste, a file, a picture or the
// camera. A front end (pigeon's command line, a test) hands it the
// session, the media and the output, and its I/O as hooks and streams; it
// never touches the process's terminal, flags or exit.
package control

import (
	"context"
	"sync"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/mesh"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

// Chat is where the peer's side of the chat goes: its messages, and the
// name it gave.
type Chat interface {
	Received(text string)
	PeerNamed(name string)
}

// Options are what a Controller works with. Session and Say are required.
type Options struct {
	Session *call.Session
	Media   *capture.Media // what this side sends; nil for nothing
	Output  *render.Output // where the peer's media goes; nil for nowhere

	// Say prints a status line for a person; Show prints a line as it is,
	// for a person to copy (a restart code). Both are called from many
	// goroutines.
	Say  func(format string, args ...any)
	Show func(line string)
	// Status shows the transfers' progress on a line redrawn in place
	// ("" takes it away), and reports whether a person sees it; without
	// one, progress is said in lines.
	Status func(text string) bool
	// Chat is told the peer's chat; nil drops it.
	Chat Chat
	// Explain returns an error's message for a person, with what to try
	// there; by default, the error's own.
	Explain func(err error) string

	// Group, when set, makes the call one that can take more people: the
	// session is its first, the chat goes to everyone, and each peer gets
	// its tile, safety number and stats. Invites are what /invite uses.
	Group   *mesh.Group
	Invites *Invites

	// Verifier, when the session's Options.Verify asks a person, is handed
	// the lines typed while it asks.
	Verifier *Verifier

	Files Files
	// Send are files or directories to send once the chat opens.
	Send []string

	// Typed says a person types the chat, who is told how once it opens.
	Typed bool
	// Verbose says more of the connection: its states, its path, the
	// video's bit rate.
	Verbose bool
	// Timeout is how long a lost connection is looked for
	// (call.Options.Timeout), for the person to know.
	Timeout time.Duration
	// Trace, when set, is told when the connection comes up, the chat
	// opens and a file is saved.
	Trace *trace.Writer
}

// Controller runs the controls of one call.
type Controller struct {
	session *call.Session
	media   *capture.Media
	out     *render.Output
	files   *files
	opts    Options
	say     func(string, ...any)
	show    func(line string)
	quit    chan struct{} // closed to hang up
	once    sync.Once
	stop    context.CancelFunc // ends the transfers

	// sourceMu makes one video source switch, or one video added to a
	// call without it, at a time.
	sourceMu sync.Mutex
	// memberMu orders a peer's session joining the call after, or before,
	// a change of what the call sends (mute, video off), never between.
	memberMu    sync.Mutex
	firstSource string // the video the call started with

	mu             sync.Mutex
	micOff, camOff bool
	// What the peer last said it sends.
	peerKnown, peerAudio, peerVideo bool
	connectedAt                     time.Time
	offer                           *offline.Signal // the caller's, once sent

	// The peers, the first one's session's first; grouped once there has
	// been more than one.
	members  []*member
	keys     int
	grouped  bool
	inviting *pendingInvite
	names    map[string]string // the names peers gave, by key, kept after they left
}

// New makes the controller of opts.Session and registers its handlers on
// the session and the output: make it before the session's Offer or
// Answer, whose peer may send at once. Close ends what it started.
func New(opts Options) *Controller {
	c := &Controller{
		session: opts.Session,
		media:   opts.Media,
		out:     opts.Output,
		opts:    opts,
		say:     opts.Say,
		show:    opts.Show,
		quit:    make(chan struct{}),
	}
	if c.show == nil {
		c.show = func(line string) { c.say("%s", line) }
	}
	if c.media != nil {
		c.firstSource = c.media.VideoName()
	}
	ctx, stop := context.WithCancel(context.Background())
	c.stop = stop
	c.files = newFiles(ctx, opts.Files, c.say, opts.Status, opts.Trace)
	c.files.explain = c.explain
	c.names = map[string]string{}
	var first *mesh.Peer
	if opts.Group != nil {
		c.listenGroup()
		first = opts.Group.Add(opts.Session, false)
	}
	c.listen(c.addMember(opts.Session, first))
	return c
}

// Close ends the transfers under way.
func (c *Controller) Close() { c.stop() }

// explain returns err's message for a person.
func (c *Controller) explain(err error) string {
	if c.opts.Explain != nil {
		return c.opts.Explain(err)
	}
	return err.Error()
}

// up reports whether the call is up: its chat is open.
func (c *Controller) up() bool {
	select {
	case <-c.session.Ready():
		return true
	default:
		return false
	}
}

// Offered tells the caller's controller the offer the peer answers, as
// the peer read it: an answer pasted into the chat is then refused, and
// not sent.
func (c *Controller) Offered(offer offline.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offer = &offer
}

// HangUp asks the front end to hang up: Quit is closed.
func (c *Controller) HangUp() { c.once.Do(func() { close(c.quit) }) }

// Quit is closed when the person asks to hang up: /quit, q in the window,
// the window closed, Ctrl-C typed, or the end of input.
func (c *Controller) Quit() <-chan struct{} { return c.quit }

// ConnectedAt returns when the connection first came up, or the zero time.
func (c *Controller) ConnectedAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connectedAt
}

// Key acts on a key pressed in the window.
func (c *Controller) Key(k rune) {
	switch k {
	case 'q':
		c.HangUp()
	case 'm':
		c.toggle(audio)
	case 'v':
		c.toggle(video)
	case 's':
		if c.media != nil && c.media.Video() == nil {
			c.addVideo(DefaultVideo, capture.Test)
			break
		}
		c.nextSource()
	case 'f':
		if c.out != nil {
			c.out.SetFullscreen(!c.out.Fullscreen())
		}
	}
}

// Summary says, once the call has ended (at ended) and the output is
// closed, what a person wants to know of it: how long it lasted and what
// arrived.
func (c *Controller) Summary(ended time.Time) {
	if at := c.ConnectedAt(); !at.IsZero() {
		c.say("call lasted %s", ended.Sub(at).Round(100*time.Millisecond))
	}
	if c.out != nil {
		for _, st := range c.out.Stats() {
			if c.isGrouped() {
				c.say("received from %s %s", c.keyName(st.Peer), st)
				continue
			}
			c.say("received %s", st)
		}
	}
	if c.media != nil && c.opts.Verbose {
		if st, ok := c.media.EchoStats(); ok {
			c.say("echo canceller: %s", st)
		}
	}
}

// Undelivered says which chat messages never reached the peer.
func (c *Controller) Undelivered() {
	c.mu.Lock()
	members := append([]*member(nil), c.members...)
	c.mu.Unlock()
	if len(members) == 0 {
		members = []*member{{session: c.session}}
	}
	for _, m := range members {
		lost := m.session.Undelivered()
		if len(lost) == 0 {
			continue
		}
		if c.isGrouped() {
			c.say("%d chat messages never reached %s:", len(lost), c.nameOf(m))
		} else {
			c.say("%d chat messages never reached the peer:", len(lost))
		}
		for _, text := range lost {
			c.say("  %s", text)
		}
	}
}

// keyName is the name of the peer whose tiles are key.
func (c *Controller) keyName(key string) string {
	c.mu.Lock()
	names := c.names
	c.mu.Unlock()
	if name := names[key]; name != "" {
		return name
	}
	return key
}
