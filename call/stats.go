package call

import (
	"fmt"
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
	// PacketsLost counts the remote media's packets that never arrived.
	PacketsLost int64
}

// Stats reports how the connection is doing; ok is false before it is up.
func (s *Session) Stats() (st Stats, ok bool) {
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
		}
	}
	return st, true
}

// Path says which way the call goes, for a person.
func (st Stats) Path() string {
	how := "direct"
	if st.Relayed {
		how = "relayed through a TURN server"
	}
	return fmt.Sprintf("%s, %s %s:%d (%s) to %s:%d (%s)", how, st.Local.Protocol, st.Local.Address, st.Local.Port,
		st.Local.Typ, st.Remote.Address, st.Remote.Port, st.Remote.Typ)
}
