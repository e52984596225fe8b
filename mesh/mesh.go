package mesh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
)

// MaxPeople is the most people a call holds, this side included: each
// sends its video to every other, so the upload of each grows with the
// call, and six is what a home connection carries.
const MaxPeople = 6

var (
	// ErrFull means a call of MaxPeople was asked to take one more.
	ErrFull = errors.New("the call has six people, the most a call with no server holds (each sends its video to every other): a bigger meeting needs a server that forwards the video (an SFU)")
	// ErrRefused means the group refused what a peer sent about the
	// others: the error says what and why. The call goes on without it.
	ErrRefused = errors.New("refused")
	// ErrNotPigeon means a peer that is not a pigeon was asked to join a
	// group call: it cannot be told about the others.
	ErrNotPigeon = errors.New("the peer is not a pigeon: it cannot join the others of a group call")
)

// Options configures a Group. NewSession and Fingerprint are required.
type Options struct {
	// Fingerprint is that of this side's certificate, as
	// call.Session.Fingerprint writes it: the same on all its sessions.
	Fingerprint string
	// NewSession makes a session with a peer introduced over the call,
	// with this side's certificate and tracks. The group adds it and
	// tells OnPeer before its offer or answer.
	NewSession func(role call.Role) (*call.Session, error)
	// Warn is told what the group refused or could not do; nil drops it.
	Warn func(error)
	// Wait bounds the making of a relayed offer or answer, and the wait
	// for a newcomer's session to come up; 30 s by default.
	Wait time.Duration
}

// Peer is one other participant of the call, and this side's session
// with it.
type Peer struct {
	// ID is the fingerprint of the peer's certificate, once known: from
	// the start for a peer introduced over the call, once connected for a
	// peer whose code was carried by hand.
	ID      string
	Session *call.Session
	// Introducer is the ID of the peer that introduced this one; "" for a
	// peer whose code was carried by hand.
	Introducer string
	// Invited says this side invited the peer by a code, and introduces it
	// to the others once it is up.
	Invited bool

	up      bool          // its chat is open and its ID checked
	offered bool          // this side offered to it over the call: it is another's newcomer
	checked chan struct{} // closed once up is known
}

// Short returns the first characters of id, to tell peers apart in a line
// for a person.
func Short(id string) string {
	id = strings.ReplaceAll(id, ":", "")
	if len(id) > 8 {
		id = id[:8]
	}
	return strings.ToLower(id)
}

// expected is a peer an introducer announced, before its session exists.
type expected struct {
	introducer string
	offers     bool // this side offers to it: the peer is the newcomer
}

// Group is this side's part of a call of several people: its sessions, one
// per peer, and what they tell each other.
type Group struct {
	opts Options

	onPeer  func(*Peer)
	onJoin  func(*Peer)
	onLeave func(*Peer, error)

	mu       sync.Mutex
	peers    []*Peer
	expected map[string]expected
	had      bool  // a peer was added once
	lastErr  error // why the last session ended
	done     chan struct{}
	quit     chan struct{} // closed by Close: nothing more is started
	wg       sync.WaitGroup
	closing  sync.Once
}

// New makes the group of one call. Add its first session to it.
func New(opts Options) *Group {
	if opts.Wait == 0 {
		opts.Wait = call.DefaultTimeout
	}
	if opts.Warn == nil {
		opts.Warn = func(error) {}
	}
	return &Group{opts: opts, expected: map[string]expected{}, done: make(chan struct{}), quit: make(chan struct{}),
		onPeer: func(*Peer) {}, onJoin: func(*Peer) {}, onLeave: func(*Peer, error) {}}
}

// OnPeer registers f to be told each session the group makes, before its
// offer or answer: where its handlers go. Register it before Add.
func (g *Group) OnPeer(f func(*Peer)) { g.onPeer = f }

// OnJoin registers f to be told each peer whose session is up and whose
// certificate is the one it was known by.
func (g *Group) OnJoin(f func(*Peer)) { g.onJoin = f }

// OnLeave registers f to be told each peer whose session ended, with why
// (nil for a hang-up). The others stay in the call.
func (g *Group) OnLeave(f func(*Peer, error)) { g.onLeave = f }

// Add makes s, a session whose codes were carried by hand, one of the
// group's; invited says this side invited its peer into a call that is
// up, and introduces it to the others once it is connected. Add it before
// its offer or answer.
func (g *Group) Add(s *call.Session, invited bool) *Peer {
	p := &Peer{Session: s, Invited: invited, checked: make(chan struct{})}
	g.add(p)
	return p
}

// add takes p into the group and watches its session.
func (g *Group) add(p *Peer) {
	g.mu.Lock()
	g.peers = append(g.peers, p)
	g.had = true
	g.mu.Unlock()
	p.Session.OnGroup(func(data []byte) { g.receive(p, data) })
	g.wg.Add(1)
	go g.watch(p)
}

// CanInvite returns ErrFull when the call, with those joining, already
// has MaxPeople.
func (g *Group) CanInvite() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if 1+len(g.peers)+len(g.expected) >= MaxPeople {
		return ErrFull
	}
	return nil
}

// Peers returns the peers, connected or connecting, in the order they
// came.
func (g *Group) Peers() []*Peer {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*Peer(nil), g.peers...)
}

// Up returns the peers whose sessions are up.
func (g *Group) Up() []*Peer {
	g.mu.Lock()
	defer g.mu.Unlock()
	var up []*Peer
	for _, p := range g.peers {
		if p.up {
			up = append(up, p)
		}
	}
	return up
}

// Done is closed once the last peer has left.
func (g *Group) Done() <-chan struct{} { return g.done }

// Wait waits for the last peer to leave and returns why its session
// ended: nil for a hang-up.
func (g *Group) Wait() error {
	<-g.done
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lastErr
}

// HangUp says goodbye to every peer and ends their sessions.
func (g *Group) HangUp() {
	g.stop()
	var wg sync.WaitGroup
	for _, p := range g.Peers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Session.HangUp()
		}()
	}
	wg.Wait()
	g.wg.Wait()
}

// Close ends every session without a goodbye.
func (g *Group) Close() {
	g.stop()
	for _, p := range g.Peers() {
		p.Session.Close()
	}
	g.wg.Wait()
}

func (g *Group) stop() { g.closing.Do(func() { close(g.quit) }) }

// watch follows p's session: it checks who connected, introduces an
// invited peer, and tells the peer's leaving.
func (g *Group) watch(p *Peer) {
	defer g.wg.Done()
	s := p.Session
	select {
	case <-s.Ready():
		g.up(p)
	case <-s.Done():
	}
	close(p.checked)
	<-s.Done()
	err := s.Wait()
	g.mu.Lock()
	for i, q := range g.peers {
		if q == p {
			g.peers = append(g.peers[:i], g.peers[i+1:]...)
			break
		}
	}
	for id, e := range g.expected {
		if e.introducer == p.ID && p.ID != "" {
			delete(g.expected, id) // no one is left to relay them
		}
	}
	wasUp := p.up
	last := len(g.peers) == 0 && g.had
	g.lastErr = err
	g.mu.Unlock()
	if wasUp {
		g.onLeave(p, err)
	}
	if last {
		close(g.done)
	}
}

// up checks that p is whom it was known as, and introduces it if this
// side invited it.
func (g *Group) up(p *Peer) {
	live, err := p.Session.RemoteFingerprint()
	if err != nil {
		return
	}
	g.mu.Lock()
	switch {
	case p.ID != "" && p.ID != live:
		g.mu.Unlock()
		g.refuse(fmt.Errorf("%w: the peer introduced as %s connected with another certificate (%s)", ErrRefused, Short(p.ID), Short(live)))
		p.Session.Close()
		return
	case live == g.opts.Fingerprint:
		g.mu.Unlock()
		g.refuse(fmt.Errorf("%w: a peer that shows this side's own certificate", ErrRefused))
		p.Session.Close()
		return
	}
	for _, q := range g.peers {
		if q != p && q.ID == live {
			g.mu.Unlock()
			g.refuse(fmt.Errorf("%w: a second session with %s, who is in the call already", ErrRefused, Short(live)))
			p.Session.Close()
			return
		}
	}
	p.ID, p.up = live, true
	delete(g.expected, live)
	// A newcomer is introduced to the peers up when it comes up, and to
	// each that comes up after it: one still connecting then (the first
	// peer, or one that offered to this side over the call) would
	// otherwise never meet it. A peer this side offered to over the call
	// is another's newcomer: its own introducer tells it who is there.
	var others, newcomers []*Peer
	for _, q := range g.peers {
		if q == p || !q.up {
			continue
		}
		others = append(others, q)
		if q.Invited && !p.Invited && !p.offered {
			newcomers = append(newcomers, q)
		}
	}
	g.mu.Unlock()
	g.onJoin(p)
	if p.Invited {
		g.introduce(p, others)
	}
	for _, q := range newcomers {
		g.introduce(q, []*Peer{p})
	}
}

// introduce tells the others that p joined, and p who they are.
func (g *Group) introduce(p *Peer, others []*Peer) {
	if p.Session.Peer() != call.PeerPigeon {
		if len(others) > 0 {
			g.refuse(ErrNotPigeon)
		}
		return
	}
	var told []*Peer
	var ids []string
	for _, q := range others {
		if q.Session.Peer() == call.PeerPigeon {
			told, ids = append(told, q), append(ids, q.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	// The newcomer first, on an ordered channel: it knows whom to expect
	// before any of their offers, relayed on the same channel, comes.
	g.send(p, message{Type: typeMembers, Peers: ids})
	for _, q := range told {
		g.send(q, message{Type: typeJoined, Peer: p.ID})
	}
}

// The messages of the group, on Session.SendGroup.
const (
	typeJoined  = "joined"  // the introducer to the others: Peer joined
	typeMembers = "members" // the introducer to the newcomer: Peers are there
	typeOffer   = "offer"   // a description, to relay (To) or relayed (From)
	typeAnswer  = "answer"
)

type message struct {
	Type  string   `json:"type"`
	Peer  string   `json:"peer,omitempty"`
	Peers []string `json:"peers,omitempty"`
	// To names the peer the introducer is asked to relay SDP to; From,
	// set by the introducer alone, the peer it comes from.
	To   string `json:"to,omitempty"`
	From string `json:"from,omitempty"`
	SDP  string `json:"sdp,omitempty"`
}

// maxMessage bounds a group message: a description with many candidates
// is a few KiB.
const maxMessage = 64 << 10

// decodeMessage reads a group message from a peer. It takes only the
// shapes the group sends: a known type with the fields that type needs.
func decodeMessage(data []byte) (message, error) {
	var m message
	if len(data) > maxMessage {
		return m, fmt.Errorf("%w: %d bytes, past the %d a group message has", ErrRefused, len(data), maxMessage)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%w: not a group message: %w", ErrRefused, err)
	}
	switch m.Type {
	case typeJoined, typeMembers:
		if m.To != "" || m.From != "" || m.SDP != "" {
			return m, fmt.Errorf("%w: a %q message that carries a description", ErrRefused, m.Type)
		}
	case typeOffer, typeAnswer:
		if (m.To == "") == (m.From == "") || m.SDP == "" || m.Peer != "" || len(m.Peers) > 0 {
			return m, fmt.Errorf("%w: an %q that is not one description, to relay or relayed", ErrRefused, m.Type)
		}
	default:
		return m, fmt.Errorf("%w: a group message of no known kind (%.32q)", ErrRefused, m.Type)
	}
	return m, nil
}

func (g *Group) send(p *Peer, m message) {
	data, err := json.Marshal(m)
	if err == nil {
		err = p.Session.SendGroup(data)
	}
	if err != nil && !errors.Is(err, call.ErrEnded) {
		g.opts.Warn(fmt.Errorf("telling %s of the group: %w", Short(p.ID), err))
	}
}

func (g *Group) refuse(err error) { g.opts.Warn(err) }

// receive acts on a message from p. It runs on p's negotiation goroutine:
// what takes time (a session's offer) goes on a goroutine of its own.
func (g *Group) receive(p *Peer, data []byte) {
	m, err := decodeMessage(data)
	if err != nil {
		g.refuse(fmt.Errorf("from %s: %w", Short(p.ID), err))
		return
	}
	// The session tells its group messages once its chat is open, which
	// may be before watch has checked who the peer is.
	select {
	case <-p.checked:
	case <-p.Session.Done():
		return
	}
	g.mu.Lock()
	from, up := p.ID, p.up
	g.mu.Unlock()
	if !up {
		return
	}
	switch {
	case m.Type == typeJoined:
		g.announced(from, []string{m.Peer}, true)
	case m.Type == typeMembers && (p.Introducer != "" || p.Invited):
		// Only the inviter says who is there, to the newcomer it invited.
		g.refuse(fmt.Errorf("%w: %s, who did not invite this side, said who is in the call", ErrRefused, Short(from)))
	case m.Type == typeMembers:
		g.announced(from, m.Peers, false)
	case m.To != "":
		g.relay(p, m)
	default:
		g.relayed(from, m)
	}
}

// announced takes the peers that introducer says are joining (offers: this
// side offers each a session) or are there (the newcomer waits for their
// offers).
func (g *Group) announced(introducer string, ids []string, offers bool) {
	for _, id := range ids {
		if err := g.expect(introducer, id, offers); err != nil {
			g.refuse(err)
			continue
		}
		if offers {
			g.wg.Add(1)
			go g.offer(introducer, id)
		}
	}
}

// expect notes that introducer vouches for id, if id can join.
func (g *Group) expect(introducer, id string, offers bool) error {
	if !isFingerprint(id) {
		return fmt.Errorf("%w: %s announced a peer by no fingerprint (%q)", ErrRefused, Short(introducer), id)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if id == g.opts.Fingerprint {
		return fmt.Errorf("%w: %s announced a newcomer with this side's own certificate", ErrRefused, Short(introducer))
	}
	for _, q := range g.peers {
		if q.ID == id {
			return fmt.Errorf("%w: %s announced %s as a newcomer, who is in the call already: someone tried to pass for them", ErrRefused, Short(introducer), Short(id))
		}
	}
	if _, ok := g.expected[id]; ok {
		return fmt.Errorf("%w: %s announced %s, who is announced already", ErrRefused, Short(introducer), Short(id))
	}
	if 1+len(g.peers)+len(g.expected) >= MaxPeople {
		return fmt.Errorf("%w: %s cannot join: %w", ErrRefused, Short(id), ErrFull)
	}
	g.expected[id] = expected{introducer: introducer, offers: offers}
	return nil
}

// offer makes a session with the newcomer id and sends its offer to the
// introducer to relay.
func (g *Group) offer(introducer, id string) {
	g.negotiate(call.Caller, introducer, id, typeOffer, "offering to",
		func(ctx context.Context, s *call.Session) (webrtc.SessionDescription, error) { return s.Offer(ctx) })
}

// negotiate makes the session with id in role, has describe make this
// side's description, of kind, and sends it to the introducer to relay;
// the session ends if it does not come up in time.
func (g *Group) negotiate(role call.Role, introducer, id, kind, doing string,
	describe func(context.Context, *call.Session) (webrtc.SessionDescription, error)) {
	defer g.wg.Done()
	p, err := g.newPeer(role, id, introducer)
	if err != nil {
		g.opts.Warn(fmt.Errorf("connecting to %s: %w", Short(id), err))
		g.forget(id)
		return
	}
	ctx, cancel := g.context()
	defer cancel()
	desc, err := describe(ctx, p.Session)
	if err != nil {
		g.opts.Warn(fmt.Errorf("%s %s: %w", doing, Short(id), err))
		p.Session.Close()
		return
	}
	if via := g.peer(introducer); via != nil {
		g.send(via, message{Type: kind, To: id, SDP: desc.SDP})
	}
	g.expire(p)
}

// expire ends p's session if it does not come up in time: its introducer
// may have left, or the newcomer never answered.
func (g *Group) expire(p *Peer) {
	t := time.NewTimer(g.opts.Wait)
	defer t.Stop()
	select {
	case <-p.Session.Ready():
	case <-p.Session.Done():
	case <-g.quit:
	case <-t.C:
		g.opts.Warn(fmt.Errorf("%s did not connect within %s", Short(p.ID), g.opts.Wait))
		p.Session.Close()
	}
}

func (g *Group) context() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.Wait)
	go func() {
		select {
		case <-g.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// newPeer makes and adds the session with a peer introduced over the call.
func (g *Group) newPeer(role call.Role, id, introducer string) (*Peer, error) {
	select {
	case <-g.quit:
		return nil, call.ErrEnded
	default:
	}
	s, err := g.opts.NewSession(role)
	if err != nil {
		return nil, err
	}
	p := &Peer{ID: id, Session: s, Introducer: introducer, offered: role == call.Caller, checked: make(chan struct{})}
	g.onPeer(p)
	g.add(p)
	g.mu.Lock()
	delete(g.expected, id) // a peer now, no longer expected
	g.mu.Unlock()
	return p, nil
}

func (g *Group) forget(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.expected, id)
}

// peer returns the peer with id, or nil.
func (g *Group) peer(id string) *Peer {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range g.peers {
		if q.ID == id && id != "" {
			return q
		}
	}
	return nil
}

// relay passes a description from p on to the peer it is for, naming p as
// its sender: only between a peer this side invited and another.
func (g *Group) relay(p *Peer, m message) {
	to := g.peer(m.To)
	g.mu.Lock()
	ok := to != nil && to != p && to.up && p.up && (to.Invited || p.Invited)
	g.mu.Unlock()
	if !ok {
		g.refuse(fmt.Errorf("%w: %s asked to relay its %s to %s, whom this side did not introduce to it", ErrRefused, Short(p.ID), m.Type, Short(m.To)))
		return
	}
	g.send(to, message{Type: m.Type, From: p.ID, SDP: m.SDP})
}

// relayed takes a description that introducer relayed from m.From: an
// offer from a participant the introducer said is there, or the answer of
// the newcomer this side offered to.
func (g *Group) relayed(introducer string, m message) {
	id := m.From
	if err := checkFingerprint(m.SDP, id); err != nil {
		g.refuse(fmt.Errorf("%w: the %s %s relayed as %s's: %w", ErrRefused, m.Type, Short(introducer), Short(id), err))
		return
	}
	if m.Type == typeAnswer {
		p := g.peer(id)
		if p == nil || p.Introducer != introducer || p.Session.Peer() != call.PeerPigeon || p.up {
			g.refuse(fmt.Errorf("%w: an answer %s relayed as %s's, to no offer of this side's", ErrRefused, Short(introducer), Short(id)))
			return
		}
		if err := p.Session.Accept(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP}); err != nil {
			g.refuse(fmt.Errorf("%w: the answer of %s: %w", ErrRefused, Short(id), err))
		}
		return
	}
	g.mu.Lock()
	e, ok := g.expected[id]
	g.mu.Unlock()
	if !ok || e.introducer != introducer || e.offers {
		g.refuse(fmt.Errorf("%w: an offer %s relayed as %s's, whom %s did not introduce", ErrRefused, Short(introducer), Short(id), Short(introducer)))
		return
	}
	g.wg.Add(1)
	go g.answer(introducer, id, m.SDP)
}

// answer makes the session with id, which offered, and sends its answer
// to the introducer to relay.
func (g *Group) answer(introducer, id, sdp string) {
	g.negotiate(call.Callee, introducer, id, typeAnswer, "answering",
		func(ctx context.Context, s *call.Session) (webrtc.SessionDescription, error) {
			return s.Answer(ctx, webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp})
		})
}

// isFingerprint reports whether id is a SHA-256 fingerprint as
// call.FormatFingerprint writes one.
func isFingerprint(id string) bool {
	if len(id) != 32*3-1 {
		return false
	}
	for i, r := range id {
		switch {
		case i%3 == 2:
			if r != ':' {
				return false
			}
		case (r < '0' || r > '9') && (r < 'A' || r > 'F'):
			return false
		}
	}
	return true
}

// checkFingerprint checks that every fingerprint of sdp is the SHA-256 one
// want, and that there is one: the certificate the connection will demand.
func checkFingerprint(sdp, want string) error {
	n := 0
	for _, line := range strings.Split(sdp, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "a=fingerprint:")
		if !ok {
			continue
		}
		alg, value, _ := strings.Cut(rest, " ")
		if !strings.EqualFold(alg, "sha-256") || !strings.EqualFold(strings.TrimSpace(value), want) {
			return fmt.Errorf("its certificate is %s, not the one announced", strings.TrimSpace(rest))
		}
		n++
	}
	if n == 0 {
		return errors.New("it names no certificate")
	}
	return nil
}
