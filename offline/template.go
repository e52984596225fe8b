package offline

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// The template rebuilds the SDP of a compact code. It writes what pion
// v4.2 writes for a pigeon session (v4.2.26 and later, from media set 2 on), line for line (Compact refuses any
// session it would not rebuild exactly, so a change on either side shows
// up as codes falling back to the full form, and in the tests, never as a
// wrong session), less what a compact code drops on purpose:
//
//   - the origin line's session ID and version, which only have to stay the
//     same between descriptions of one session: derived from the
//     fingerprint and the time;
//   - the SSRCs and the stream and track IDs (a=ssrc, a=msid): the peer's
//     pion, told to handle undeclared SSRCs, routes each incoming stream by
//     its payload type, which is unique to one media section;
//   - the candidates' foundations and related addresses, which the peer does
//     not need to connect.

// mediaSection is one media section of a profile, between its direction
// and the transport lines that all sections share.
type mediaSection struct {
	media  string   // audio or video
	format int      // the payload type, the only one
	codec  []string // the rtpmap, fmtp and rtcp-fb lines
}

// A media profile (0-63) is a media set and the direction of each of its
// media sections: the set in bits 5-4, the audio's direction in bits 3-2 and
// the video's in bits 1-0, each an index in directionNames.
const setShift = 4

// profileCount is the number of profiles this version knows: a newer one
// may add sets after them.
var profileCount = 1 << setShift * len(mediaSets)

// mediaSets are the media sections pigeon's sessions have had, audio then
// video, each followed by the chat channel: Opus and VP8 as call/codecs.go
// registers them, with the feedback and header extensions that call adds.
// A change there needs a new set here, added at the end: the numbers of the
// old ones are in the codes of older pigeons, which newer ones still read.
var mediaSets = [][]mediaSection{
	// 0: NACK and RTCP reports only.
	{
		{"audio", 111, []string{
			"a=rtpmap:111 opus/48000/2",
			"a=fmtp:111 minptime=10;useinbandfec=1",
		}},
		{"video", 96, []string{
			"a=rtpmap:96 VP8/90000",
			"a=rtcp-fb:96 nack",
			"a=rtcp-fb:96 nack pli",
			"a=rtcp-fb:96 ccm fir",
		}},
	},
	// 1: with transport-wide congestion control (TWCC) as well.
	twccSections,
	// 2: the same media, in the session pion v4.2.26 writes: it declares
	// that it receives encrypted RTP header extensions (a=cryptex, RFC
	// 9335) and numbers its candidates' generation (firstCryptexSet).
	twccSections,
}

// twccSections are the media sections with TWCC, of media sets 1 and 2.
var twccSections = []mediaSection{
	{"audio", 111, []string{
		"a=rtpmap:111 opus/48000/2",
		"a=fmtp:111 minptime=10;useinbandfec=1",
		"a=rtcp-fb:111 transport-cc",
		"a=extmap:1 " + twccURI,
	}},
	{"video", 96, []string{
		"a=rtpmap:96 VP8/90000",
		"a=rtcp-fb:96 nack",
		"a=rtcp-fb:96 nack pli",
		"a=rtcp-fb:96 ccm fir",
		"a=rtcp-fb:96 transport-cc",
		"a=extmap:1 " + twccURI,
	}},
}

// firstCryptexSet is the first media set whose sessions carry a=cryptex and
// end each candidate with "generation 0". An older pigeon's session has
// neither, and the template of its set rebuilds it without them: the
// peer's pion then sends it no encrypted header extensions, which it could
// not read.
const firstCryptexSet = 2

// twccURI names the RTP header extension of transport-wide congestion
// control.
const twccURI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

// mediaSectionCount is the number of media sections of every set.
const mediaSectionCount = 2

// sdp rebuilds the session description of c.
func (c *compactSignal) sdp() string {
	ufrag, pwd := deriveCredentials(c.fingerprint[:], c.secret)
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\r\n")
	}
	transport := func(mid int) {
		line("c=IN IP4 0.0.0.0")
		line("a=setup:%s", c.setup)
		line("a=mid:%d", mid)
	}
	credentials := func() {
		line("a=ice-ufrag:%s", ufrag)
		line("a=ice-pwd:%s", pwd)
	}

	line("v=0")
	// pion's session IDs are below 2⁶³, and its first session version is
	// the time the session was made.
	line("o=- %d %d IN IP4 0.0.0.0", binary.BigEndian.Uint64(c.fingerprint[:8])>>1, c.created)
	line("s=-")
	line("t=0 0")
	line("a=msid-semantic:WMS *")
	line("a=fingerprint:sha-256 %s", formatFingerprint(c.fingerprint[:]))
	line("a=extmap-allow-mixed")
	set := int(c.profile >> setShift)
	if set >= firstCryptexSet {
		line("a=cryptex")
	}
	line("a=group:BUNDLE 0 1 2")

	for i, m := range mediaSets[set] {
		line("m=%s 9 UDP/TLS/RTP/SAVPF %d", m.media, m.format)
		transport(i)
		credentials()
		line("a=rtcp-mux")
		line("a=rtcp-rsize")
		for _, l := range m.codec {
			line("%s", l)
		}
		shift := 2 * (mediaSectionCount - 1 - i)
		line("a=%s", direction(c.profile>>shift&3))
		// pion puts every candidate in the first section: with BUNDLE all
		// sections share its transport.
		if i == 0 {
			for _, cand := range c.candidates {
				for component := 1; component <= 2; component++ {
					if set >= firstCryptexSet {
						line("a=%s generation 0", cand.line(component, ufrag))
					} else {
						line("a=%s", cand.line(component, ufrag))
					}
				}
			}
			line("a=end-of-candidates")
		}
	}

	line("m=application 9 UDP/DTLS/SCTP webrtc-datachannel")
	transport(mediaSectionCount)
	line("a=sendrecv")
	line("a=sctp-port:5000")
	line("a=max-message-size:1073741823")
	credentials()
	return b.String()
}

// line returns the candidate attribute for component as pion writes it,
// foundation included, without the related address, which pion leaves out
// when it does not know it either; without the ufrag extension when ufrag
// is empty.
func (c compactCandidate) line(component int, ufrag string) string {
	network := "udp4"
	if !c.hasName && !c.addr.Is4() {
		network = "udp6"
	}
	typ := candidateTypes[c.typ]
	foundation := crc32.ChecksumIEEE([]byte(typ + c.host() + network))
	line := fmt.Sprintf("candidate:%d %d udp %d %s %d typ %s",
		foundation, component, c.priority(component), c.host(), c.port, typ)
	if ufrag == "" {
		return line // a restart code's: the peer knows the ufrag
	}
	return line + " ufrag " + ufrag
}
