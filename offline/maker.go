package offline

import "strings"

// A session description in JSON or raw SDP says nothing of what made it, and
// the peer's pigeon needs to know: between pigeons the chat runs on channels
// both sides declare, with any other WebRTC program on one announced in-band
// (package call). Pigeon's own codes, compact and full, are written only by
// pigeons and pigeon's web page. In the other forms a pigeon marks its
// description with a session-level attribute, which other programs ignore
// as SDP wants (RFC 8866 §5.13), and which a decoder takes out again, as it
// takes out the digest of an answer's offer.

// pigeonAttr is the line that marks a JSON or raw SDP description as a
// pigeon's, before the first m= line.
const pigeonAttr = "a=pigeon-chat"

// withMarks returns the SDP of s with the lines pigeon adds for a form that
// is not pigeon's own: the digest of the offer an answer answers, and the
// mark of a pigeon's description when s.Pigeon says so.
func withMarks(s Signal) (string, error) {
	sdp, err := withAnswersTo(s)
	if err != nil || !s.Pigeon {
		return sdp, err
	}
	return withSessionLine(sdp, pigeonAttr+"\r\n"), nil
}

// withSessionLine adds line at the end of the session-level lines of sdp.
func withSessionLine(sdp, line string) string {
	if i := strings.Index(sdp, "\r\nm="); i >= 0 {
		return sdp[:i+2] + line + sdp[i+2:]
	}
	if i := strings.Index(sdp, "\nm="); i >= 0 {
		return sdp[:i+1] + line + sdp[i+1:]
	}
	return sdp + line
}

// takeMarks moves what pigeon adds to an SDP out of it and into s:
// AnswersTo (see takeAnswersTo) and Pigeon. A signal is a pigeon's when it
// came in one of pigeon's own codes, carries the mark, or names its offer,
// as only pigeons' answers do.
func takeMarks(s Signal) (Signal, error) {
	s, err := takeAnswersTo(s)
	if err != nil {
		return s, err
	}
	if strings.Contains(s.SDP, pigeonAttr) {
		var kept strings.Builder
		for line := range strings.Lines(s.SDP) {
			if strings.TrimRight(line, "\r\n") == pigeonAttr {
				s.Pigeon = true
				continue
			}
			kept.WriteString(line)
		}
		s.SDP = kept.String()
	}
	if s.Format == FormatCompact || s.Format == FormatFull || s.AnswersTo != nil {
		s.Pigeon = true
	}
	return s, nil
}
