package call

import (
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// An answer may reject a kind of media the offer sends: a port of 0, as
// pion's reflect example answers audio, for which it has no codec. pion
// then still starts the track's sender, the track finds no codec to bind
// to, and the answer cannot be applied. Between pigeons no answer rejects
// anything; for another program's, the senders of the rejected sections
// are taken away before it is applied, and the rest of the call goes on.

// dropRejected stops sending on the transceivers whose media answer
// rejects. Sections are matched by their place: an answer lists them in
// the offer's order.
func (s *Session) dropRejected(answer webrtc.SessionDescription) {
	local := s.pc.LocalDescription()
	if local == nil {
		return
	}
	var offered, answered sdp.SessionDescription
	if offered.UnmarshalString(local.SDP) != nil || answered.UnmarshalString(answer.SDP) != nil {
		return // pion says what is wrong with it when it is applied
	}
	for i, media := range answered.MediaDescriptions {
		if media.MediaName.Port.Value != 0 || i >= len(offered.MediaDescriptions) {
			continue
		}
		mid, _ := offered.MediaDescriptions[i].Attribute("mid")
		for _, tr := range s.pc.GetTransceivers() {
			if tr.Mid() == mid && tr.Sender() != nil {
				_ = s.pc.RemoveTrack(tr.Sender())
			}
		}
	}
}
