package call

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/transport/v4"
	"github.com/pion/webrtc/v4"
)

// An ICE restart finds a new path for a call whose old one changed or went
// away, keeping the DTLS association, the chat and the media streams.
//
// pion restarts its ICE agent the moment a restart offer is created (or, for
// the answering side, the moment an offer with new credentials is applied):
// it forgets every candidate and the path in use. Whatever that side then
// sends, the restart's answer included, waits for a new path, so a restart
// cannot depend on an exchange over the call. Each side therefore restarts
// on its own, knowing in advance all the peer needs:
//
//   - A session keeps its ICE credentials for its whole life (pion's restart
//     reuses the ones it was given), so each side already knows the other's.
//     A restart's new credentials would protect nothing: DTLS, whose
//     certificate is pinned by the code the users carried, is what
//     authenticates the peer.
//   - After a restart, a side checks the peer's last known candidates. A
//     side that did not move still has them, and answers checks from a moved
//     peer's new address, which it learns as a peer-reflexive candidate.
//   - The new candidates are sent over the negotiation channel as soon as
//     it moves again, for the paths that need both sides to know them.
//
// The caller restarts with pion's restart offer, and applies the last answer
// again as the answer to it. The callee cannot make an offer (see
// negotiate.go); it applies the caller's last offer again, first with a
// password pion sees as new, so that pion restarts its agent, then as it
// was, so that the checks use the caller's real credentials.
//
// A side restarts when its own addresses change, when the peer says it
// restarted, and when the path has been silent for a while. Only the
// controlling side, the caller, picks the pair, and it picks a new one only
// after a restart of its own; the callee follows the pick only if it ranks
// higher than its current pair, or if it has none, after a restart. So after
// a silence both sides restart: the caller to follow a callee that moved
// without being able to say so, the callee to follow the caller's pick.

const (
	// restartSilence is how long the caller waits, once ICE reports the
	// path silent, before it restarts to look for a new one.
	restartSilence = time.Second
	// addressCheckEvery is how often the local addresses are compared
	// with those the last candidates were gathered from.
	addressCheckEvery = time.Second
	// maxBindingRequests is how many checks ICE sends on a pair before it
	// gives up on it: enough to keep trying through an outage of up to
	// the timeout, so that a restarted side finds the path when it comes
	// back. pion's default, 7, gives up after about a second and a half.
	maxBindingRequests = 500
	// gatherWait bounds how long a restart waits for its candidates.
	gatherWait = 10 * time.Second
)

// restarter restarts ICE for a session and keeps what a restart needs.
type restarter struct {
	s   *Session
	net transport.Net

	mu             sync.Mutex
	peerCandidates []string // the peer's candidates sent since its last restart
	addresses      []string // local addresses when candidates were last gathered
	restarts       int
	silentSince    time.Time // zero while ICE hears the peer
}

func newRestarter(s *Session, n transport.Net) *restarter {
	r := &restarter{s: s, net: n}
	r.addresses = r.localAddresses()
	return r
}

// watch runs until the call ends: it restarts ICE when a local address
// appears or disappears, and when the path stays silent.
func (r *restarter) watch() {
	tick := time.NewTicker(addressCheckEvery / 4)
	defer tick.Stop()
	lastCheck := time.Now()
	for {
		select {
		case <-r.s.done:
			return
		case <-tick.C:
		}
		if !r.s.wasConnected() {
			continue
		}
		if time.Since(lastCheck) >= addressCheckEvery {
			lastCheck = time.Now()
			if r.addressesChanged() {
				r.restart(true)
				continue
			}
		}
		r.mu.Lock()
		since := r.silentSince
		r.mu.Unlock()
		if !since.IsZero() && time.Since(since) >= restartSilence {
			r.restart(false)
		}
	}
}

// onICEState follows the ICE state: a silent path starts the count
// towards a restart.
func (r *restarter) onICEState(state webrtc.ICEConnectionState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch state {
	case webrtc.ICEConnectionStateDisconnected:
		if r.silentSince.IsZero() {
			r.silentSince = time.Now()
		}
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		r.silentSince = time.Time{}
	}
}

// localAddresses lists the addresses ICE may gather host candidates from.
func (r *restarter) localAddresses() []string {
	if u, ok := r.net.(interface{ UpdateInterfaces() error }); ok {
		_ = u.UpdateInterfaces() // the machine's list is cached otherwise
	}
	ifaces, err := r.net.Interfaces()
	if err != nil {
		return nil
	}
	var addrs []string
	for _, iface := range ifaces {
		if len(r.s.opts.Interfaces) > 0 && !slices.Contains(r.s.opts.Interfaces, iface.Name) {
			continue
		}
		as, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range as {
			addrs = append(addrs, a.String())
		}
	}
	slices.Sort(addrs)
	return addrs
}

func (r *restarter) addressesChanged() bool {
	now := r.localAddresses()
	r.mu.Lock()
	defer r.mu.Unlock()
	return !slices.Equal(now, r.addresses)
}

// restart restarts this side's ICE and sends the peer the new candidates;
// tell asks the peer to restart too.
func (r *restarter) restart(tell bool) {
	n := r.s.negotiator
	n.mu.Lock()
	addrs := r.localAddresses()
	candidates, err := r.restartLocked()
	n.mu.Unlock()
	r.mu.Lock()
	r.addresses = addrs
	r.silentSince = time.Time{} // the next silence counts from the restart
	r.mu.Unlock()
	if err != nil {
		return
	}
	n.send(negotiation{Restart: tell, Candidates: candidates})
}

// restartLocked restarts ICE with the negotiator's lock held, so that no
// offer or answer is being applied meanwhile, and returns the new local
// candidates.
func (r *restarter) restartLocked() ([]string, error) {
	pc := r.s.pc
	remote := pc.RemoteDescription()
	if remote == nil || pc.SignalingState() != webrtc.SignalingStateStable {
		return nil, errNotStable
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if r.s.opts.Role == Caller {
		offer, err := pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
		if err != nil {
			return nil, fmt.Errorf("creating the restart offer: %w", err)
		}
		gathered = webrtc.GatheringCompletePromise(pc)
		if err := pc.SetLocalDescription(offer); err != nil {
			return nil, fmt.Errorf("applying the restart offer: %w", err)
		}
		answer := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: remote.SDP}
		if err := pc.SetRemoteDescription(answer); err != nil {
			return nil, fmt.Errorf("applying the last answer again: %w", err)
		}
	} else {
		offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: remote.SDP}
		other := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: otherPassword(remote.SDP)}
		for i, o := range []webrtc.SessionDescription{other, offer} {
			if i == 1 {
				gathered = webrtc.GatheringCompletePromise(pc)
			}
			if err := pc.SetRemoteDescription(o); err != nil {
				return nil, fmt.Errorf("applying the last offer again: %w", err)
			}
			answer, err := pc.CreateAnswer(nil)
			if err != nil {
				return nil, fmt.Errorf("answering the last offer again: %w", err)
			}
			if err := pc.SetLocalDescription(answer); err != nil {
				return nil, fmt.Errorf("applying the restart answer: %w", err)
			}
		}
	}
	r.mu.Lock()
	r.restarts++
	peer := slices.Clone(r.peerCandidates)
	r.mu.Unlock()
	for _, c := range peer {
		_ = pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c})
	}
	ctx, cancel := context.WithTimeout(context.Background(), gatherWait)
	defer cancel()
	select {
	case <-gathered:
	case <-ctx.Done():
	case <-r.s.done:
		return nil, ErrEnded
	}
	return candidateLines(pc.LocalDescription().SDP), nil
}

// peerRestarted takes the peer's new candidates, and restarts this side
// too when the peer asks.
func (r *restarter) peerRestarted(m negotiation) {
	r.mu.Lock()
	r.peerCandidates = slices.Clone(m.Candidates)
	r.mu.Unlock()
	for _, c := range m.Candidates {
		_ = r.s.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c})
	}
	if m.Restart {
		r.restart(false)
	}
}

// Restarts says how many times this side has restarted ICE.
func (s *Session) Restarts() int {
	s.restarter.mu.Lock()
	defer s.restarter.mu.Unlock()
	return s.restarter.restarts
}

// candidateLines returns the candidates of an SDP, without the "a=".
func candidateLines(sdp string) []string {
	var cs []string
	for line := range strings.Lines(sdp) {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "a=candidate:"); ok && !slices.Contains(cs, "candidate:"+c) {
			cs = append(cs, "candidate:"+c)
		}
	}
	return cs
}

// otherPassword returns sdp with its ICE passwords changed, which pion
// takes for a restart by the peer.
func otherPassword(sdp string) string {
	var b strings.Builder
	for line := range strings.Lines(sdp) {
		if pwd, ok := strings.CutPrefix(line, "a=ice-pwd:"); ok {
			pwd = strings.TrimRight(pwd, "\r\n")
			line = "a=ice-pwd:" + strings.Repeat("x", len(pwd)) + "\r\n"
			if strings.HasPrefix(pwd, strings.Repeat("x", len(pwd))) {
				line = "a=ice-pwd:" + strings.Repeat("y", len(pwd)) + "\r\n"
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// randomICECredentials picks a session's ICE credentials when nothing
// derives them, as pion would, but once: pion's restarts keep them.
func randomICECredentials() (ufrag, pwd string) {
	return rand.Text()[:16], rand.Text()
}

// errNotStable means an offer or answer is under way: a restart would get
// in its way, and waits for the next occasion.
var errNotStable = errors.New("an offer or answer is under way")

// freePort finds a UDP port free on every address of network, for all the
// session's candidates to use.
func freePort(network transport.Net) (uint16, error) {
	conn, err := network.ListenUDP("udp", &net.UDPAddr{})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	addr, ok := conn.LocalAddr().(*net.UDPAddr)
	if !ok {
		return 0, fmt.Errorf("no UDP port: %v", conn.LocalAddr())
	}
	return uint16(addr.Port), nil
}
