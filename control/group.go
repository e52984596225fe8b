package control

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/mesh"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

// GroupChat is a Chat that shows who sent each message, for a call of
// several people; a Chat that is not one gets "name: text" as the text.
type GroupChat interface {
	ReceivedFrom(name, text string)
}

// Invites are what /invite needs of the front end: a session for one more
// person, whose offer code goes out and whose answer comes back as the
// first call's did (Codes); AnswerIn says the answer is read there, not
// pasted into the chat.
type Invites struct {
	NewSession func() (*call.Session, error)
	Codes      *Codes
	AnswerIn   bool
}

// member is one peer of the call as the person knows it.
type member struct {
	key     string // its tiles' and bit rate's ID
	session *call.Session
	peer    *mesh.Peer // nil without a group

	name string // guarded by Controller.mu
	// What the peer last said it sends, guarded by Controller.mu.
	mediaKnown, audioOn, videoOn bool
}

// pendingInvite is an invitation, from /invite until its answer is taken
// or it fails: one at a time, so that a pasted answer has one offer to
// belong to.
type pendingInvite struct {
	offer  *offline.Signal // once sent, guarded by Controller.mu
	answer chan offline.Signal
}

// listenGroup registers the controller on the group's events.
func (c *Controller) listenGroup() {
	g := c.opts.Group
	g.OnPeer(func(p *mesh.Peer) {
		c.mu.Lock()
		c.grouped = true
		c.mu.Unlock()
		c.listenTo(c.addMember(p.Session, p))
	})
	g.OnJoin(func(p *mesh.Peer) {
		// The name comes with the peer's first message: "joined" says it.
		m := c.memberOf(p.Session)
		if m == nil || m.session == c.session {
			return
		}
		if c.isGrouped() {
			c.firstPeerOnly(m)
			go c.sayNumberOf(m)
		}
		// The newcomer is told what this side sends, as the others were.
		go func() {
			audioOn, videoOn := c.sending()
			if err := m.session.TellMedia(audioOn, videoOn); err != nil && !errors.Is(err, call.ErrEnded) {
				c.say("telling %s: %s", c.nameOf(m), c.explain(err))
			}
		}()
	})
	g.OnLeave(func(p *mesh.Peer, err error) {
		m := c.memberOf(p.Session)
		if m == nil {
			return
		}
		c.removeMember(m)
		if c.media != nil {
			_ = c.media.ForgetPeer(m.key)
		}
		if !c.isGrouped() {
			return
		}
		left := len(c.opts.Group.Up())
		switch {
		case left == 0 && err == nil:
			c.say("%s left the call", c.nameOf(m))
		case left == 0:
			c.say("%s dropped out of the call (%s)", c.nameOf(m), c.explain(err))
		case err == nil:
			c.say("%s left the call; %d %s still in it", c.nameOf(m), left, people(left))
		default:
			c.say("%s dropped out of the call (%s); %d %s still in it", c.nameOf(m), c.explain(err), left, people(left))
		}
	})
}

func people(n int) string {
	if n == 1 {
		return "other is"
	}
	return "others are"
}

// addMember notes s, the session with one more peer, and starts it with
// what the call sends now.
func (c *Controller) addMember(s *call.Session, p *mesh.Peer) *member {
	c.memberMu.Lock()
	defer c.memberMu.Unlock()
	if s != c.session {
		c.startMedia(s)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys++
	m := &member{key: fmt.Sprint("peer", c.keys), session: s, peer: p}
	c.members = append(c.members, m)
	return m
}

// allSessions returns the session with every peer, up or connecting.
func (c *Controller) allSessions() []*call.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := []*call.Session{c.session}
	for _, m := range c.members {
		if m.session != c.session {
			all = append(all, m.session)
		}
	}
	return all
}

func (c *Controller) removeMember(m *member) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.members {
		if q == m {
			c.members = append(c.members[:i], c.members[i+1:]...)
			return
		}
	}
}

func (c *Controller) memberOf(s *call.Session) *member {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		if m.session == s {
			return m
		}
	}
	return nil
}

// nameOf is the name m gave, or a word for it.
func (c *Controller) nameOf(m *member) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case m.name != "":
		return m.name
	case m.peer != nil && m.peer.ID != "":
		return "peer " + mesh.Short(m.peer.ID)
	}
	return "the newcomer"
}

// isGrouped says the call has had more than one peer.
func (c *Controller) isGrouped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.grouped
}

// sessions returns the sessions to send to: every peer's that is up, or
// the one of a call with one peer.
func (c *Controller) sessions() []*call.Session {
	if c.opts.Group == nil {
		return []*call.Session{c.session}
	}
	var all []*call.Session
	for _, p := range c.opts.Group.Up() {
		all = append(all, p.Session)
	}
	if len(all) == 0 {
		all = []*call.Session{c.session}
	}
	return all
}

// send sends a chat line to every peer up.
func (c *Controller) send(line string) error {
	var first error
	for _, s := range c.sessions() {
		if err := s.Send(line); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// received hands a chat message from m to the chat.
func (c *Controller) received(m *member, text string) {
	if c.opts.Chat == nil {
		return
	}
	if !c.isGrouped() {
		c.opts.Chat.Received(text)
		return
	}
	if gc, ok := c.opts.Chat.(GroupChat); ok {
		gc.ReceivedFrom(c.nameOf(m), text)
		return
	}
	c.opts.Chat.Received(c.nameOf(m) + ": " + text)
}

// renderPeer is m as render knows it.
func (c *Controller) renderPeer(m *member) render.Peer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return render.Peer{ID: m.key, Name: m.name}
}

// sayNumberOf tells the safety number with one peer of a group call.
func (c *Controller) sayNumberOf(m *member) {
	n, err := m.session.SafetyNumber()
	switch {
	case err == nil:
		c.say("safety number with %s: %s; read it to %s: if theirs for you differs, someone is in the middle of your connection, even the one who introduced you", c.nameOf(m), n, c.nameOf(m))
	case errors.Is(err, call.ErrNoSafetyNumber):
		c.say("%s: %v", c.nameOf(m), err)
	}
}

// invite makes an offer code for one more person (/invite) and, once the
// answer comes back (pasted into the chat, or read where Codes reads), adds
// the newcomer, whom the others then connect to.
func (c *Controller) invite() {
	inv := c.opts.Invites
	if c.opts.Group == nil || inv == nil || inv.NewSession == nil {
		c.say("/invite needs a group call")
		return
	}
	if !c.up() {
		c.say("the call is not up yet")
		return
	}
	if c.session.Peer() != call.PeerPigeon {
		c.say("/invite: %v", mesh.ErrNotPigeon)
		return
	}
	if err := c.opts.Group.CanInvite(); err != nil {
		c.say("/invite: %v", err)
		return
	}
	pending := &pendingInvite{answer: make(chan offline.Signal, 1)}
	c.mu.Lock()
	busy := c.inviting != nil
	if !busy {
		c.inviting = pending
	}
	c.mu.Unlock()
	if busy {
		c.say("/invite: an invitation is waiting for its answer; paste it first")
		return
	}
	s, err := inv.NewSession()
	if err != nil {
		c.endInvite(pending)
		c.say("/invite: %s", c.explain(err))
		return
	}
	c.mu.Lock()
	c.grouped = true
	c.mu.Unlock()
	c.listenTo(c.addMember(s, c.opts.Group.Add(s, true)))
	go c.inviteWith(s, pending)
}

// endInvite frees the place of the invitation pending, for the next.
func (c *Controller) endInvite(pending *pendingInvite) {
	c.mu.Lock()
	if c.inviting == pending {
		c.inviting = nil
	}
	c.mu.Unlock()
}

func (c *Controller) inviteWith(s *call.Session, pending *pendingInvite) {
	inv := c.opts.Invites
	defer c.endInvite(pending)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.session.Done():
		case <-s.Done():
		case <-ctx.Done():
		}
		cancel()
	}()
	desc, err := s.Offer(ctx)
	if err != nil {
		c.say("/invite: %s", c.explain(err))
		s.Close()
		return
	}
	c.say("invitation: send this offer to the person to invite, who answers it with pigeon answer; then paste their answer here")
	offer, err := inv.Codes.Send(ctx, offline.Signal{Kind: offline.Offer, SDP: desc.SDP, Pigeon: true})
	if err != nil {
		c.say("/invite: %s", c.explain(err))
		s.Close()
		return
	}
	c.mu.Lock()
	pending.offer = &offer
	c.mu.Unlock()
	var answer offline.Signal
	if inv.AnswerIn {
		answer, err = inv.Codes.Receive(ctx, offline.Answer)
		if err != nil {
			c.say("/invite: %s", c.explain(err))
			s.Close()
			return
		}
	} else {
		select {
		case answer = <-pending.answer:
		case <-ctx.Done():
			return
		}
	}
	if !answer.Pigeon {
		c.say("/invite: %v", mesh.ErrNotPigeon)
		s.Close()
		return
	}
	if err := AcceptAnswer(s, offer, answer, c.say); err != nil {
		c.say("/invite: %s", c.explain(err))
		s.Close()
		return
	}
	c.say("connecting the newcomer...")
}

// takeInviteAnswer hands an answer pasted into the chat to the invitation
// waiting for one, and reports whether there was one.
func (c *Controller) takeInviteAnswer(answer offline.Signal) bool {
	c.mu.Lock()
	pending := c.inviting
	var offer *offline.Signal
	if pending != nil {
		offer = pending.offer
	}
	c.mu.Unlock()
	if offer == nil || offline.CheckAnswer(*offer, answer) != nil {
		return false
	}
	select {
	case pending.answer <- answer:
	default:
	}
	return true
}

// groupStats says /stats of each peer, under its name.
func (c *Controller) groupStats() {
	c.mu.Lock()
	members := append([]*member(nil), c.members...)
	c.mu.Unlock()
	for _, m := range members {
		c.say("%s:", c.nameOf(m))
		c.sessionStats(m.session, m.key)
	}
}

// groupHelp is what /help adds in a call that can take more people.
func groupHelp(g *mesh.Group) string {
	if g == nil {
		return ""
	}
	return "/invite (an offer code for one more person, up to " + fmt.Sprint(mesh.MaxPeople) + "), "
}

// peerTracks hands m's remote track to the output.
func (c *Controller) playMember(m *member, track *webrtc.TrackRemote) {
	name := strings.TrimSpace(c.nameOf(m))
	if c.isGrouped() {
		c.say("receiving %s (%s) from %s", track.Kind(), track.Codec().MimeType, name)
	} else {
		c.say("receiving %s (%s)", track.Kind(), track.Codec().MimeType)
	}
	if c.out == nil {
		go drain(track)
		return
	}
	go func() {
		if err := c.out.PlayPeer(c.renderPeer(m), track); err != nil {
			c.say("receiving %s: %v", track.Kind(), err)
		}
	}()
}

// memberMedia tells the person what one more peer turned on or off; of a
// peer that joins, only what it has off.
func (c *Controller) memberMedia(m *member, audioOn, videoOn bool) {
	c.mu.Lock()
	known, wasAudio, wasVideo := m.mediaKnown, m.audioOn, m.videoOn
	m.mediaKnown, m.audioOn, m.videoOn = true, audioOn, videoOn
	c.mu.Unlock()
	name := c.nameOf(m)
	if (known && audioOn != wasAudio) || (!known && !audioOn) {
		c.say("%s's microphone is %s", name, onOff(audioOn))
	}
	if (known && videoOn != wasVideo) || (!known && !videoOn) {
		c.say("%s's video is %s", name, onOff(videoOn))
	}
}

// firstPeerOnly says, as m joins, what of the call's start concerned the
// first peer alone: the check of --verify and --peer, the files of --send.
func (c *Controller) firstPeerOnly(m *member) {
	first := c.nameOf(c.memberOf(c.session))
	if c.session.Holds() {
		c.say("%s's connection is not checked by --verify or --peer, which concern the first peer (%s) only: compare your safety number with %s", c.nameOf(m), first, c.nameOf(m))
	}
	if len(c.opts.Send) > 0 {
		c.say("the files of --send went to %s only; /send PATH sends to everyone", first)
	}
}

// restartNote says, in a group call, whom /restart concerns.
func (c *Controller) restartNote() {
	if !c.isGrouped() || c.memberOf(c.session) == nil {
		return
	}
	c.say("/restart: the restart code concerns the connection with %s, the first peer, only; the others reconnect by themselves, or are invited again with /invite", c.nameOf(c.memberOf(c.session)))
}
