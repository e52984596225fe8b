package call

import (
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Stats is how the call's connection is doing.
type Stats struct {
	// Path is the candidate pair in use: what this side sends from and to.
	Local, Remote webrtc.ICECandidate
	// Relayed is true when the media goes through a TURN server.
	Relayed bool
	// RTT is the last round-trip time ICE measured.
	RTT time.Duration
	// Sent and Received count the bytes on the path so far.
	Sent, Received uint64
	// SendBitRate and ReceiveBitRate are the bits a second on the path
	// each way (media, chat and files together) over about the last
	// second; 0 until the call has been up that long.
	SendBitRate, ReceiveBitRate float64
	// PacketsLost counts the remote media's packets that never arrived,
	// out of PacketsLost+PacketsReceived. (Losses on the way to the peer
	// are the peer's to count.)
	PacketsLost     int64
	PacketsReceived int64
}

// LossPercent is the share of the remote media's packets that were lost.
func (st Stats) LossPercent() float64 {
	if all := st.PacketsLost + st.PacketsReceived; all > 0 && st.PacketsLost > 0 {
		return 100 * float64(st.PacketsLost) / float64(all)
	}
	return 0
}

// rateEvery is how often the path's byte counts are sampled for the bit
// rates.
const rateEvery = time.Second

// rateSample is the path's byte counts at one moment.
type rateSample struct {
	at             time.Time
	sent, received uint64
}

// rates holds the last two samples of the path's byte counts.
type rates struct {
	mu         sync.Mutex
	prev, last rateSample
}

// sampleRates samples the path's byte counts until the call ends.
func (s *Session) sampleRates() {
	tick := time.NewTicker(rateEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-tick.C:
			sent, received, ok := s.pairBytes()
			if !ok {
				continue
			}
			s.rates.mu.Lock()
			s.rates.prev, s.rates.last = s.rates.last, rateSample{now, sent, received}
			s.rates.mu.Unlock()
		}
	}
}

// pairBytes is the bytes sent and received on the selected candidate pair.
// It asks the ICE transport alone: the whole report (GetStats) reads a field
// that pion's Close sets, unguarded, and the sampler may run as the call
// closes.
func (s *Session) pairBytes() (sent, received uint64, ok bool) {
	if s.leaving.Load() || s.pc.ConnectionState() == webrtc.PeerConnectionStateClosed {
		return 0, 0, false // the agent is closing, and would log that it is
	}
	v, ok := s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePairStats()
	if !ok || v.State != webrtc.StatsICECandidatePairStateSucceeded {
		return 0, 0, false
	}
	return v.BytesSent, v.BytesReceived, true
}

// bitRates is the bits a second each way between the last two samples.
func (r *rates) bitRates() (send, receive float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dt := r.last.at.Sub(r.prev.at).Seconds()
	if r.prev.at.IsZero() || dt <= 0 || r.last.sent < r.prev.sent || r.last.received < r.prev.received {
		return 0, 0
	}
	return 8 * float64(r.last.sent-r.prev.sent) / dt, 8 * float64(r.last.received-r.prev.received) / dt
}

// Stats reports how the connection is doing; ok is false before it is up.
func (s *Session) Stats() (st Stats, ok bool) {
	// pion's ICETransport reads its gatherer unguarded, and Start, run by
	// SetRemoteDescription, sets it: the transport is asked only once ICE
	// has connected, which the atomic orders after Start.
	if !s.iceUp.Load() {
		return st, false
	}
	pair, err := s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local == nil || pair.Remote == nil {
		return st, false
	}
	st.Local, st.Remote = *pair.Local, *pair.Remote
	st.Relayed = pair.Local.Typ == webrtc.ICECandidateTypeRelay || pair.Remote.Typ == webrtc.ICECandidateTypeRelay
	for _, v := range s.pc.GetStats() {
		switch v := v.(type) {
		case webrtc.ICECandidatePairStats:
			if v.Nominated && v.State == webrtc.StatsICECandidatePairStateSucceeded {
				st.RTT = time.Duration(v.CurrentRoundTripTime * float64(time.Second))
				st.Sent, st.Received = v.BytesSent, v.BytesReceived
			}
		case webrtc.InboundRTPStreamStats:
			st.PacketsLost += int64(v.PacketsLost)
			st.PacketsReceived += int64(v.PacketsReceived)
		}
	}
	st.SendBitRate, st.ReceiveBitRate = s.rates.bitRates()
	return st, true
}

// Path says which way the call goes, for a person: relayed through a TURN
// server; direct through NAT, when one end of the pair is an address a NAT
// gave (server-reflexive: what a STUN server saw; peer-reflexive: what the
// peer's checks came from); or direct between the machines' own addresses.
// The candidates' addresses and types follow.
func (st Stats) Path() string {
	how := "direct"
	switch {
	case st.Relayed:
		how = "relayed through a TURN server"
	case reflexive(st.Local.Typ) || reflexive(st.Remote.Typ):
		how = "direct through NAT"
	}
	return fmt.Sprintf("%s, %s %s:%d (%s) to %s:%d (%s)", how, st.Local.Protocol, st.Local.Address, st.Local.Port,
		st.Local.Typ, st.Remote.Address, st.Remote.Port, st.Remote.Typ)
}

// reflexive is whether a candidate of type typ is an address a NAT gave.
func reflexive(typ webrtc.ICECandidateType) bool {
	return typ == webrtc.ICECandidateTypeSrflx || typ == webrtc.ICECandidateTypePrflx
}
