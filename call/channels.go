package call

import (
	"slices"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/transfer"
)

// knownLabels are the labels of the data channels a session takes from
// its peer; a channel the peer opens with any other label is closed as it
// opens, so that a peer cannot keep streams and buffers open that nothing
// reads. pigeon's own chat and negotiation channels are declared by both
// sides (negotiated) and never announced; they are here for peers that
// open them all the same. A new kind of channel gets its label here.
var knownLabels = []string{
	"chat",         // the chat (session.go)
	"negotiate",    // renegotiation and ICE restarts (negotiate.go)
	transfer.Label, // a file or a directory
}

// onDataChannel hands a channel the peer opened to Options.OnDataChannel,
// or closes it if its label is not a known one, or if nothing takes it.
func (s *Session) onDataChannel(dc *webrtc.DataChannel) {
	switch {
	case !slices.Contains(knownLabels, dc.Label()):
		s.log.Warnf("%v: closed a data channel the peer opened with the label %q, which pigeon does not use", s.opts.Role, dc.Label())
	case s.opts.OnDataChannel == nil:
		s.log.Warnf("%v: closed a %q channel the peer opened: nothing takes it", s.opts.Role, dc.Label())
	default:
		s.opts.OnDataChannel(dc)
		return
	}
	_ = dc.Close()
}
