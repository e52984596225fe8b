package mesh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/calltest"
	"github.com/pigeon-call/pigeon/internal/mediatest"
)

func TestMain(m *testing.M) { calltest.VerifyNoLeaks(m) }

// wait bounds each wait of these tests: a lossy vnet on a busy machine.
const wait = 40 * time.Second

// lan is a virtual network with loss, for the participants of a call.
type lan struct {
	router *vnet.Router
	next   int
}

func newLAN(t *testing.T, lossPercent int) *lan {
	t.Helper()
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", MinDelay: 5 * time.Millisecond,
		LoggerFactory: logging.NewDefaultLoggerFactory()})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	var mu sync.Mutex
	router.AddChunkFilter(func(vnet.Chunk) bool {
		mu.Lock()
		defer mu.Unlock()
		return rng.Intn(100) >= lossPercent
	})
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { router.Stop() })
	return &lan{router: router, next: 1}
}

// participant is one person of a call: a group, its sessions, and what
// it was told.
type participant struct {
	t     *testing.T
	name  string
	cert  *webrtc.Certificate
	net   *vnet.Net
	video *webrtc.TrackLocalStaticSample // nil: no media
	group *Group
	made  atomic.Int32 // sessions the group made

	mu       sync.Mutex
	changed  chan struct{}
	names    map[*call.Session]string
	chat     []string       // "name: text"
	videoIn  map[string]int // video packets received, by sender's name
	left     []string
	refused  []error
	stopSend chan struct{}
}

func (l *lan) join(t *testing.T, name string, frames [][]byte) *participant {
	t.Helper()
	vn, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{fmt.Sprintf("10.0.0.%d", l.next)}})
	if err != nil {
		t.Fatal(err)
	}
	l.next++
	if err := l.router.AddNet(vn); err != nil {
		t.Fatal(err)
	}
	cert, err := call.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	p := &participant{t: t, name: name, cert: cert, net: vn, changed: make(chan struct{}),
		names: map[*call.Session]string{}, videoIn: map[string]int{}, stopSend: make(chan struct{})}
	if frames != nil {
		p.video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", name)
		if err != nil {
			t.Fatal(err)
		}
		go p.send(frames)
	}
	probe, err := p.newSession(call.Caller)
	if err != nil {
		t.Fatal(err)
	}
	fp := probe.Fingerprint()
	probe.Close()
	p.group = New(Options{Fingerprint: fp, Wait: wait, NewSession: func(role call.Role) (*call.Session, error) {
		p.made.Add(1)
		return p.newSession(role)
	}, Warn: p.warn})
	p.group.OnPeer(p.listen)
	p.group.OnLeave(func(peer *Peer, err error) {
		p.mu.Lock()
		p.left = append(p.left, p.names[peer.Session])
		p.mu.Unlock()
		p.tell()
	})
	t.Cleanup(func() {
		close(p.stopSend)
		p.group.HangUp()
	})
	return p
}

func (p *participant) newSession(role call.Role) (*call.Session, error) {
	var tracks []webrtc.TrackLocal
	if p.video != nil {
		tracks = append(tracks, p.video)
	}
	return call.New(call.Options{Role: role, Net: p.net, Certificate: p.cert, Name: p.name, Tracks: tracks,
		Timeout: wait, PasteWait: wait})
}

// send plays frames on the video track in a loop, 30 a second.
func (p *participant) send(frames [][]byte) {
	tick := time.NewTicker(time.Second / 30)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.stopSend:
			return
		case <-tick.C:
		}
		_ = p.video.WriteSample(media.Sample{Data: frames[i%len(frames)], Duration: time.Second / 30})
	}
}

func (p *participant) tell() {
	p.mu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

func (p *participant) warn(err error) {
	p.mu.Lock()
	p.refused = append(p.refused, err)
	p.mu.Unlock()
	p.tell()
}

// listen registers what the participant is told on one session.
func (p *participant) listen(peer *Peer) {
	s := peer.Session
	s.OnPeerName(func(name string) {
		p.mu.Lock()
		p.names[s] = name
		p.mu.Unlock()
		p.tell()
	})
	s.OnMessage(func(text string) {
		p.mu.Lock()
		p.chat = append(p.chat, p.names[s]+": "+text)
		p.mu.Unlock()
		p.tell()
	})
	s.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			buf := make([]byte, 1500)
			for {
				if _, _, err := track.Read(buf); err != nil {
					return
				}
				if track.Kind() != webrtc.RTPCodecTypeVideo {
					continue
				}
				p.mu.Lock()
				p.videoIn[p.names[s]]++
				p.mu.Unlock()
				p.tell()
			}
		}()
	})
}

// waitFor waits until ok, which runs with p.mu held, or fails the test.
func (p *participant) waitFor(what string, ok func() bool) {
	p.t.Helper()
	deadline := time.After(wait)
	for {
		p.mu.Lock()
		done, changed := ok(), p.changed
		p.mu.Unlock()
		if done {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			p.mu.Lock()
			defer p.mu.Unlock()
			p.t.Fatalf("%s: %s did not happen within %s (chat %q, video %v, refused %v)", p.name, what, wait, p.chat, p.videoIn, p.refused)
		case <-time.After(time.Second):
			// Ready() of a session is not one of the events told.
		}
	}
}

// waitPeers waits until p's group has n peers up, all named.
func (p *participant) waitPeers(n int) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%d peers up", n), func() bool {
		up := p.group.Up()
		for _, q := range up {
			if p.names[q.Session] == "" {
				return false
			}
		}
		return len(up) == n
	})
}

// say sends text to every peer up.
func (p *participant) say(text string) {
	p.t.Helper()
	for _, q := range p.group.Up() {
		if err := q.Session.Send(text); err != nil {
			p.t.Fatalf("%s sending to %s: %v", p.name, Short(q.ID), err)
		}
	}
}

// call connects p to q by codes carried by hand, as pigeon call and
// pigeon answer do; invited says p invites q into a call that is up.
func (p *participant) call(q *participant, invited bool) {
	p.t.Helper()
	caller, err := p.newSession(call.Caller)
	if err != nil {
		p.t.Fatal(err)
	}
	p.listen(p.group.Add(caller, invited))
	callee, err := q.newSession(call.Callee)
	if err != nil {
		p.t.Fatal(err)
	}
	q.listen(q.group.Add(callee, false))
	calltest.Handshake(p.t, caller, callee)
}

func frames(t *testing.T) [][]byte {
	t.Helper()
	src := capture.NewTestVideo(160, 120, 1000)
	defer src.Close()
	f, err := mediatest.EncodeVP8(src, 160, 120, 30)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFourPeopleOnALossyNetwork builds a call of four by two invitations,
// on a network that loses 3% of packets: each sees the others' video and
// chat, with their names; one leaves and the others go on.
func TestFourPeopleOnALossyNetwork(t *testing.T) {
	l := newLAN(t, 3)
	f := frames(t)
	ann, bob, cat, dan := l.join(t, "ann", f), l.join(t, "bob", f), l.join(t, "cat", f), l.join(t, "dan", f)
	all := []*participant{ann, bob, cat, dan}

	ann.call(bob, false)
	ann.call(cat, true) // ann invites cat: bob and cat connect over the call
	for _, p := range all[:3] {
		p.waitPeers(2)
	}
	bob.call(dan, true) // bob invites dan
	for _, p := range all {
		p.waitPeers(3)
	}
	// Beside the sessions of the codes carried by hand, each made one
	// session over the call for each newcomer it did not invite, and each
	// newcomer one for each participant it found there but its inviter.
	for p, want := range map[*participant]int32{ann: 1, bob: 1, cat: 2, dan: 2} {
		if got := p.made.Load(); got != want {
			t.Errorf("%s made %d sessions over the call, want %d", p.name, got, want)
		}
	}

	for _, p := range all {
		p.say("hello from " + p.name)
	}
	for _, p := range all {
		for _, q := range all {
			if p == q {
				continue
			}
			line := q.name + ": hello from " + q.name
			p.waitFor("chat "+line, func() bool { return contains(p.chat, line) })
			p.waitFor("video from "+q.name, func() bool { return p.videoIn[q.name] >= 30 })
		}
	}

	cat.group.HangUp()
	for _, p := range []*participant{ann, bob, dan} {
		p.waitFor("cat leaving", func() bool { return contains(p.left, "cat") })
		p.waitPeers(2)
	}
	ann.say("still here")
	for _, p := range []*participant{bob, dan} {
		p.waitFor("ann's chat after cat left", func() bool { return contains(p.chat, "ann: still here") })
	}
	select {
	case <-ann.group.Done():
		t.Fatal("ann's call ended when cat left")
	default:
	}
	for _, p := range all {
		p.mu.Lock()
		if len(p.refused) > 0 {
			t.Errorf("%s refused or failed: %v", p.name, p.refused)
		}
		p.mu.Unlock()
	}
}

// TestNewcomerUpBeforeTheFirstPeer invites cat while ann's session with
// bob, her first peer, is still connecting: cat comes up first, and still
// meets bob once bob is up.
func TestNewcomerUpBeforeTheFirstPeer(t *testing.T) {
	l := newLAN(t, 0)
	ann, bob, cat := l.join(t, "ann", nil), l.join(t, "bob", nil), l.join(t, "cat", nil)
	caller, err := ann.newSession(call.Caller)
	if err != nil {
		t.Fatal(err)
	}
	ann.listen(ann.group.Add(caller, false))
	callee, err := bob.newSession(call.Callee)
	if err != nil {
		t.Fatal(err)
	}
	bob.listen(bob.group.Add(callee, false))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}

	ann.call(cat, true)
	ann.waitPeers(1) // cat
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*participant{ann, bob, cat} {
		p.waitPeers(2)
	}
	for _, p := range []*participant{ann, bob, cat} {
		p.mu.Lock()
		if len(p.refused) > 0 {
			t.Errorf("%s refused or failed: %v", p.name, p.refused)
		}
		p.mu.Unlock()
	}
}

func contains(lines []string, line string) bool {
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

// TestHostileRelayIsRefused drives an inviter by hand that breaks the
// rules: a newcomer that passes for someone in the call or for itself, an
// offer from no one announced, one whose certificate is not the one
// announced. Each is refused and makes no session; the honest offer that
// follows connects, to the certificate announced.
func TestHostileRelayIsRefused(t *testing.T) {
	l := newLAN(t, 0)
	bob := l.join(t, "bob", nil)
	mallory := l.join(t, "mallory", nil)
	mallory.call(bob, false)
	bob.waitPeers(1)
	toBob := mallory.group.Up()[0].Session
	send := func(m message) {
		t.Helper()
		data, _ := json.Marshal(m)
		if err := toBob.SendGroup(data); err != nil {
			t.Fatal(err)
		}
	}
	// Someone mallory wants to bring in, and someone else whose offer
	// mallory passes off as theirs.
	xavier := l.join(t, "xavier", nil)
	yves := l.join(t, "yves", nil)
	offerOf := func(p *participant) (*call.Session, string) {
		s, err := p.newSession(call.Caller)
		if err != nil {
			t.Fatal(err)
		}
		p.listen(p.group.Add(s, false))
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		desc, err := s.Offer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s, desc.SDP
	}
	xs, xOffer := offerOf(xavier)
	_, yOffer := offerOf(yves)
	xID := xs.Fingerprint()
	bobID := bob.group.opts.Fingerprint
	malloryID := toBob.Fingerprint()

	refusals := []struct {
		m    message
		want string
	}{
		{message{Type: typeMembers, Peers: []string{bobID}}, "this side's own certificate"},
		{message{Type: typeMembers, Peers: []string{malloryID}}, "in the call already"},
		{message{Type: typeMembers, Peers: []string{"not a fingerprint"}}, "by no fingerprint"},
		{message{Type: typeOffer, From: xID, SDP: xOffer}, "did not introduce"},
		{message{Type: typeMembers, Peers: []string{xID}}, ""}, // announced: taken
		{message{Type: typeOffer, From: xID, SDP: yOffer}, "not the one announced"},
		{message{Type: typeOffer, From: malloryID, SDP: xOffer}, "not the one announced"},
		{message{Type: typeAnswer, From: xID, SDP: xOffer}, "to no offer"},
		{message{Type: typeOffer, To: xID, SDP: xOffer}, "did not introduce to it"},
		{message{Type: "takeover", Peer: xID}, "of no known kind"},
	}
	for _, r := range refusals {
		bob.mu.Lock()
		before := len(bob.refused)
		bob.mu.Unlock()
		send(r.m)
		if r.want == "" {
			continue
		}
		bob.waitFor("a refusal: "+r.want, func() bool { return len(bob.refused) > before })
		bob.mu.Lock()
		got := bob.refused[before]
		bob.mu.Unlock()
		if !errors.Is(got, ErrRefused) || !strings.Contains(got.Error(), r.want) {
			t.Errorf("%+v: refused with %v, want %q", r.m, got, r.want)
		}
	}
	if n := bob.made.Load(); n != 0 {
		t.Errorf("bob made %d sessions from the hostile messages", n)
	}

	// The announced newcomer's own offer, relayed: bob answers it, and the
	// answer asks mallory to relay it back to xavier.
	answers := make(chan message, 1)
	mallory.group.Up()[0].Session.OnGroup(func(data []byte) {
		var m message
		if json.Unmarshal(data, &m) == nil && m.Type == typeAnswer {
			answers <- m
		}
	})
	send(message{Type: typeOffer, From: xID, SDP: xOffer})
	var answer message
	select {
	case answer = <-answers:
	case <-time.After(wait):
		t.Fatal("bob did not answer the announced newcomer's offer")
	}
	if answer.To != xID || checkFingerprint(answer.SDP, bobID) != nil {
		t.Fatalf("bob's answer goes to %s with another certificate than bob's", Short(answer.To))
	}
	if err := xs.Accept(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
		t.Fatal(err)
	}
	bob.waitPeers(2)
	for _, p := range bob.group.Up() {
		if p.ID != malloryID && p.ID != xID {
			t.Errorf("bob has a peer %s, neither mallory nor xavier", Short(p.ID))
		}
	}
}

// TestSixAndNoMore fills a call to six, by invitations from several of its
// people, and sees a seventh refused: by the inviter, and by the others
// when someone announces one all the same.
func TestSixAndNoMore(t *testing.T) {
	l := newLAN(t, 0)
	var all []*participant
	for i := range MaxPeople {
		all = append(all, l.join(t, fmt.Sprint("p", i), nil))
	}
	all[0].call(all[1], false)
	for i := 2; i < MaxPeople; i++ {
		all[i-1].call(all[i], true) // each newcomer invites the next
		for _, p := range all[:i+1] {
			p.waitPeers(i)
		}
	}
	for _, p := range all {
		if err := p.group.CanInvite(); !errors.Is(err, ErrFull) {
			t.Errorf("%s may invite a seventh: %v", p.name, err)
		}
	}
	// Announced by hand all the same: the others refuse to offer to it.
	seventh, err := call.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	fps, _ := seventh.GetFingerprints()
	id := strings.ToUpper(fps[0].Value)
	p0 := all[0]
	made := map[*participant]int32{}
	for _, p := range all {
		made[p] = p.made.Load()
	}
	for _, q := range p0.group.Up() {
		data, _ := json.Marshal(message{Type: typeJoined, Peer: id})
		if err := q.Session.SendGroup(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range all[1:] {
		p.waitFor("the seventh refused", func() bool {
			return len(p.refused) > 0 && errors.Is(p.refused[0], ErrRefused) && strings.Contains(p.refused[0].Error(), "six people")
		})
		if p.made.Load() != made[p] {
			t.Errorf("%s made a session for the seventh", p.name)
		}
	}
}
