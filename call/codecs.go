package call

import (
	"fmt"

	"github.com/pion/webrtc/v4"
)

// Payload types of the codecs pigeon uses; the numbers browsers use too.
const (
	payloadTypeVP8  = 96
	payloadTypeOpus = 111
)

// codecs are the only codecs pigeon offers and accepts: VP8 for video and
// Opus for audio. Registering nothing else keeps the offer short and makes
// the peer pick these.
//
// A compact code (package offline) leaves the media out of the SDP: the
// peer rebuilds it from a template of what pion writes for these codecs,
// with the feedback and header extensions this package adds
// (offline/template.go, mediaSets). A change here or in the interceptors
// that alters the SDP needs a new media set there, or pigeon's codes fall
// back to the full form; e2e's TestCompactCalls says so. Each payload type
// must also stay unique to one media section: a rebuilt SDP has no a=ssrc
// lines, and pion routes the peer's streams by payload type (see
// identity.apply).
var codecs = []struct {
	Kind   webrtc.RTPCodecType
	Params webrtc.RTPCodecParameters
}{
	{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType:    webrtc.MimeTypeOpus,
			ClockRate:   48000,
			Channels:    2,
			SDPFmtpLine: "minptime=10;useinbandfec=1",
		},
		PayloadType: payloadTypeOpus,
	}},
	{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType:  webrtc.MimeTypeVP8,
			ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{
				{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"},
			},
		},
		PayloadType: payloadTypeVP8,
	}},
}

func registerCodecs(m *webrtc.MediaEngine) error {
	for _, c := range codecs {
		if err := m.RegisterCodec(c.Params, c.Kind); err != nil {
			return fmt.Errorf("registering %s: %w", c.Params.MimeType, err)
		}
	}
	return nil
}
