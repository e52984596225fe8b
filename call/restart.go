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

	"github.com/pion/logging"
	"github.com/pion/transport/v5"
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
// A side restarts when its own addresses change, when the peer asks, and
// when the path has been silent for a while. Only the controlling side, the
// caller, picks the pair, and it picks one only when it has none, that is
// after a restart of its own; the callee follows a pick only if it ranks
// higher than its current pair, or if it has none, after a restart. So:
//
//   - A callee that restarted has no pair until the caller picks again:
//     every restart of the callee asks the caller to restart too, unless
//     the caller has no pair itself and is about to pick one.
//   - A caller that moved asks the callee to restart, for the callee would
//     keep its old pair, which ranks higher than one with a new address
//     learned from a check. The callee's restart then asks the caller back.
//   - After a silence both sides restart: the caller to follow a callee
//     that moved without being able to say so, the callee to follow the
//     caller's pick.
//   - pion stops checking a pair once a check on it succeeded, so the
//     callee's checks may have reached the caller before the caller
//     restarted and forgot them, and the caller may not know where the
//     callee went (its message about it could not get through). A callee
//     with no pair a while after a restart restarts again: its checks
//     start over, and the caller learns the new address from them.
//
// When both sides move at once, neither knows where the other went, and
// the negotiation channel has no path to tell it: a person carries the new
// candidates instead, in restart codes (restartcode.go).

const (
	// restartSilence is how long a side waits, once ICE reports the path
	// silent, before it restarts to look for a new one.
	restartSilence = time.Second
	// restartRetry is how long the callee waits for the caller's pick
	// after a restart before it restarts again.
	restartRetry = 3 * time.Second
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

	// ICE checks each candidate of the peer's, maxBindingRequests times: a
	// peer that sent thousands would make this side send checks to
	// thousands of addresses of its choosing, and keep them all. So a
	// message (or a restart code) gives at most maxPeerCandidates, as many
	// as a compact code carries (a machine with a few interfaces and a
	// STUN server has half a dozen), of at most maxCandidateLen bytes each
	// (pion's longest, a relay's with its related address, is under 200);
	// and at most maxAddedCandidates are added between two restarts of
	// this side's, which forget them. The rest are dropped, with a line in
	// the "restart" log.
	maxPeerCandidates  = 16
	maxCandidateLen    = 256
	maxAddedCandidates = 4 * maxPeerCandidates
)

// restarter restarts ICE for a session and keeps what a restart needs.
type restarter struct {
	s   *Session
	net transport.Net
	log logging.LeveledLogger

	mu             sync.Mutex
	peerCandidates []string // the peer's candidates sent since its last restart
	addresses      []string // local addresses when candidates were last gathered
	restarts       int
	added          int       // the peer's candidates added since this side's last restart
	silentSince    time.Time // zero while ICE hears the peer
	restartedAt    time.Time // the last restart, until ICE has a pair again
	noPathTold     bool      // a restart found no path since ICE last had one
}

func newRestarter(s *Session, n transport.Net) *restarter {
	r := &restarter{s: s, net: n, log: s.opts.LoggerFactory.NewLogger("restart")}
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
				r.log.Debugf("%v: the local addresses changed", r.s.opts.Role)
				r.restart(true)
				continue
			}
		}
		r.mu.Lock()
		silent, restarted, told := r.silentSince, r.restartedAt, r.noPathTold
		r.mu.Unlock()
		if !told && !restarted.IsZero() && time.Since(restarted) >= restartRetry && !r.s.iceConnected() {
			r.noPath()
		}
		switch {
		case !silent.IsZero() && time.Since(silent) >= restartSilence:
			r.log.Debugf("%v: the path has been silent since %v", r.s.opts.Role, silent.Format(logTime))
			r.restart(false)
		case r.s.opts.Role == Callee && !restarted.IsZero() && time.Since(restarted) >= restartRetry:
			r.log.Debugf("%v: no pair since the restart at %v", r.s.opts.Role, restarted.Format(logTime))
			r.restart(false)
		}
	}
}

// noPath tells, once until ICE has a path again, that a restart found none
// within restartRetry: the call goes on looking until its timeout, and the
// person, told, may carry a restart code.
func (r *restarter) noPath() {
	r.mu.Lock()
	r.noPathTold = true
	r.mu.Unlock()
	r.s.fail(r.log, fmt.Errorf("%w: it found no path to the peer within %v", ErrRestartFailed, restartRetry))
}

// logTime is how the logs show a time of day.
const logTime = "15:04:05.000"

// onICEState follows the ICE state: a silent path starts the count
// towards a restart.
func (r *restarter) onICEState(state webrtc.ICEConnectionState) {
	r.log.Debugf("%v: ICE %v", r.s.opts.Role, state)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch state {
	case webrtc.ICEConnectionStateDisconnected:
		if r.silentSince.IsZero() {
			r.silentSince = time.Now()
		}
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		r.silentSince = time.Time{}
		r.restartedAt = time.Time{}
		r.noPathTold = false
	}
}

// onPair notes the pair ICE now uses, for the logs.
func (r *restarter) onPair(pair *webrtc.ICECandidatePair) {
	r.log.Debugf("%v: ICE uses %v", r.s.opts.Role, pair)
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
// moved says the local addresses changed. The callee always asks the caller
// to restart as well, the caller only when it moved.
func (r *restarter) restart(moved bool) {
	if _, err := r.restartNow(context.Background(), moved); err != nil && !routine(err) {
		if f := r.s.on.failure.get(); f != nil {
			f(err)
		}
	}
}

// routine reports whether a restart failed for a reason that passes: an
// exchange under way, no address yet, or the call's end. The next occasion
// tries again.
func routine(err error) bool {
	return errors.Is(err, errNotStable) || errors.Is(err, errNoCandidates) || errors.Is(err, ErrEnded)
}

// restartNow restarts as restart does, and returns the new local
// candidates; ctx bounds the wait for them.
func (r *restarter) restartNow(ctx context.Context, moved bool) ([]string, error) {
	n := r.s.negotiator
	n.mu.Lock()
	addrs := r.localAddresses()
	candidates, err := r.restartLocked(ctx)
	n.mu.Unlock()
	r.mu.Lock()
	r.addresses = addrs
	r.silentSince = time.Time{} // the next silence counts from the restart
	r.restartedAt = time.Now()
	r.mu.Unlock()
	if routine(err) {
		r.log.Debugf("%v: no restart: %v", r.s.opts.Role, err)
		return nil, err
	}
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrRestartFailed, err)
		r.log.Errorf("%v: %v", r.s.opts.Role, err)
		return nil, err
	}
	tell := moved || r.s.opts.Role == Callee
	r.log.Debugf("%v: restarted, asking the peer to restart: %v; candidates %q", r.s.opts.Role, tell, candidates)
	n.send(negotiation{Restart: tell, Candidates: candidates})
	return candidates, nil
}

// restartLocked restarts ICE with the negotiator's lock held, so that no
// offer or answer is being applied meanwhile, and returns the new local
// candidates; ctx bounds the wait for them.
func (r *restarter) restartLocked(ctx context.Context) ([]string, error) {
	pc := r.s.pc
	remote := pc.RemoteDescription()
	if remote == nil || pc.SignalingState() != webrtc.SignalingStateStable {
		return nil, errNotStable
	}
	// pion restarts its agent, and starts gathering, inside CreateOffer or
	// SetRemoteDescription: the promise is made after the last of them, or
	// it would be kept by the end of an earlier gathering.
	var gathered <-chan struct{}
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
		// Each of the two offers restarts the agent, as each changes the
		// password pion knows; the first only makes the second one count.
		offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: remote.SDP}
		other := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: otherPassword(remote.SDP)}
		for _, o := range []webrtc.SessionDescription{other, offer} {
			if err := pc.SetRemoteDescription(o); err != nil {
				return nil, fmt.Errorf("applying the last offer again: %w", err)
			}
			gathered = webrtc.GatheringCompletePromise(pc)
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
	r.added = len(peer)
	r.mu.Unlock()
	for _, c := range peer {
		r.addCandidate(c)
	}
	ctx, cancel := context.WithTimeout(ctx, gatherWait)
	defer cancel()
	select {
	case <-gathered:
	case <-ctx.Done():
	case <-r.s.done:
		return nil, ErrEnded
	}
	candidates := candidateLines(pc.LocalDescription().SDP)
	if len(candidates) == 0 {
		// Nothing to tell: the peer, asked to restart, would only lose
		// the path it may have found to this side's new address. A
		// side with no address restarts again once one appears.
		return nil, errNoCandidates
	}
	return candidates, nil
}

// peerRestarted takes the peer's new candidates, and restarts this side
// too when the peer asks. A caller with no pair is picking one already: the
// peer's checks, which will reach it, are all it needs.
func (r *restarter) peerRestarted(m negotiation) {
	candidates := r.takeCandidates("on the call", m.Candidates)
	r.log.Debugf("%v: the peer restarted; asks this side to: %v; candidates %q", r.s.opts.Role, m.Restart, candidates)
	r.addCandidates(candidates)
	if !m.Restart {
		return
	}
	if r.s.opts.Role == Caller {
		if pair, err := r.s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair(); err == nil && pair == nil {
			r.log.Debugf("%v: no pair yet, no need to restart", r.s.opts.Role)
			return
		}
	}
	r.restart(false)
}

// takeCandidates records the peer's candidates, sent by way of how, as
// the ones to check after each restart: the first maxPeerCandidates of
// them, each no longer than maxCandidateLen and once. It returns them.
func (r *restarter) takeCandidates(how string, sent []string) []string {
	var kept []string
	long, more := 0, 0
	for _, c := range sent {
		switch {
		case len(c) > maxCandidateLen:
			long++
		case slices.Contains(kept, c):
		case len(kept) == maxPeerCandidates:
			more++
		default:
			kept = append(kept, c)
		}
	}
	if long > 0 || more > 0 {
		r.log.Warnf("%v: the peer sent %d candidates %s: %d dropped as longer than %d bytes, %d beyond the first %d",
			r.s.opts.Role, len(sent), how, long, maxCandidateLen, more, maxPeerCandidates)
	}
	r.mu.Lock()
	r.peerCandidates = kept
	r.mu.Unlock()
	return slices.Clone(kept)
}

// addCandidates hands the peer's candidates to ICE, up to
// maxAddedCandidates since this side's last restart.
func (r *restarter) addCandidates(candidates []string) {
	r.mu.Lock()
	room := max(0, maxAddedCandidates-r.added)
	n := min(room, len(candidates))
	r.added += n
	r.mu.Unlock()
	if n < len(candidates) {
		r.log.Warnf("%v: %d of the peer's candidates dropped: %d were added since this side last restarted",
			r.s.opts.Role, len(candidates)-n, maxAddedCandidates)
	}
	for _, c := range candidates[:n] {
		r.addCandidate(c)
	}
}

// addCandidate hands one of the peer's candidates to ICE. One that ICE
// refuses is the peer's mistake, or its malice: logged, not told.
func (r *restarter) addCandidate(c string) {
	if err := r.s.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c}); err != nil {
		r.log.Warnf("%v: the peer's candidate %q refused: %v", r.s.opts.Role, c, err)
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

// errNoCandidates means a restart found no local candidate to send.
var errNoCandidates = errors.New("no local candidates")

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

// fallbackNet listens on any free port when the fixed port, the one port
// pion is told to use, has been taken since freePort found it.
type fallbackNet struct {
	transport.Net
	port int
}

func (n *fallbackNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	conn, err := n.Net.ListenUDP(network, laddr)
	if err == nil || laddr == nil || laddr.Port != n.port {
		return conn, err
	}
	any := *laddr
	any.Port = 0
	if conn, err2 := n.Net.ListenUDP(network, &any); err2 == nil {
		return conn, nil
	}
	return nil, err
}
