package offline

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// JSON is the codec of the format pion's examples and many browser demos
// use: base64 (standard alphabet, padded) of the session description as
// JSON, {"type":"offer","sdp":"v=0..."}. It has no version and no checksum:
// a damaged code may still decode, and only the peer connection then
// refuses it, so pigeon writes it only when asked to, for a peer that is not
// a pigeon.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

// sessionDescription is the JSON form of a session description, with the
// field names of pion's SessionDescription and of the browsers'
// RTCSessionDescription.
type sessionDescription struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// Encode returns s as base64 of its JSON. Like Full, it refuses what a
// decoder would refuse.
func (jsonCodec) Encode(s Signal) (string, error) {
	b, err := marshalJSON(s)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// Decode returns the signal in base64 of JSON, after cleaning it with Clean.
func (jsonCodec) Decode(text string) (Signal, error) {
	return decodeOnly(text, FormatJSON)
}

// RawJSON is the codec of the JSON session description as it is, without
// base64, as a web page's text box may hold it and a program's
// JSON.parse reads it.
var RawJSON Codec = rawJSONCodec{}

type rawJSONCodec struct{}

// Encode returns s as its JSON, on one line.
func (rawJSONCodec) Encode(s Signal) (string, error) {
	b, err := marshalJSON(s)
	return string(b), err
}

// Decode returns the signal in raw JSON.
func (rawJSONCodec) Decode(text string) (Signal, error) {
	return decodeOnly(text, FormatRawJSON)
}

// SDP is the codec of the session description itself, as text of several
// lines. Encode ends it with its last line: whoever passes it on ends it
// with a blank line, where ReadSignal stops reading it.
var SDP Codec = sdpCodec{}

type sdpCodec struct{}

// Encode returns the SDP of s, with the lines pigeon adds to it.
func (sdpCodec) Encode(s Signal) (string, error) {
	return markedSDP(s)
}

// Decode returns the signal in raw SDP.
func (sdpCodec) Decode(text string) (Signal, error) {
	return decodeOnly(text, FormatSDP)
}

// markedSDP returns the SDP of s with the lines pigeon adds to it (see
// withMarks), refusing what a decoder would refuse.
func markedSDP(s Signal) (string, error) {
	if !s.Kind.valid() {
		return "", fmt.Errorf("encoding a signal: unknown kind %v", s.Kind)
	}
	if len(s.SDP) > maxSDP || !looksLikeSDP([]byte(s.SDP), true) {
		return "", fmt.Errorf("encoding the %s: this is not a session description of at most %d bytes", s.Kind, maxSDP)
	}
	sdp, err := withMarks(s)
	if err != nil {
		return "", err
	}
	if len(sdp) > maxSDP {
		return "", fmt.Errorf("encoding the %s: the session description is %d bytes, over the limit of %d", s.Kind, len(sdp), maxSDP)
	}
	return sdp, nil
}

// marshalJSON returns s as its JSON.
func marshalJSON(s Signal) ([]byte, error) {
	sdp, err := markedSDP(s)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(sessionDescription{Type: s.Kind.String(), SDP: sdp})
	if err != nil {
		return nil, fmt.Errorf("encoding the %s: %w", s.Kind, err)
	}
	return b, nil
}

// decodeJSONBase64 decodes cleaned base64 of JSON. Like the other decoders
// it returns ErrTruncated for the beginning of one: a JSON object that the
// text ends inside.
func decodeJSONBase64(text string) (Signal, error) {
	payload, canonical, dangling, err := decodeBase64(text)
	if err != nil {
		return Signal{}, err
	}
	end := jsonEnd(payload)
	switch {
	case end < 0:
		return Signal{}, ErrCorrupt
	case end == 0:
		return Signal{}, ErrTruncated
	case strings.TrimSpace(string(payload[end:])) != "", dangling, !canonical:
		return Signal{}, ErrCorrupt
	}
	s, err := parseJSON(payload[:end])
	s.Format = FormatJSON
	return s, err
}

// jsonEnd returns the length of the JSON object that b starts with (after
// white space), 0 if b ends inside it, and -1 if b cannot start one. It only
// matches braces and brackets outside strings, and refuses the control
// characters that JSON forbids inside them; json.Unmarshal checks the rest.
func jsonEnd(b []byte) int {
	start := len(b) - len(strings.TrimLeft(string(b), " \t\r\n"))
	if start == len(b) {
		return 0
	}
	if b[start] != '{' {
		return -1
	}
	depth, inString, escaped := 0, false, false
	for i := start; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c < ' ':
			return -1
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// parseJSON parses a complete JSON session description.
func parseJSON(b []byte) (Signal, error) {
	var d sessionDescription
	if err := json.Unmarshal(b, &d); err != nil {
		return Signal{}, ErrCorrupt
	}
	var kind Kind
	switch d.Type {
	case "offer":
		kind = Offer
	case "answer":
		kind = Answer
	default:
		return Signal{}, ErrCorrupt
	}
	if len(d.SDP) > maxSDP || !looksLikeSDP([]byte(d.SDP), true) {
		return Signal{Kind: kind}, ErrCorrupt
	}
	return Signal{Kind: kind, SDP: d.SDP, Created: originTime(d.SDP), Format: FormatRawJSON}, nil
}

// Bounds of the times originTime believes: pion did not exist before 2020,
// and a compact code cannot hold a time after 2106.
var (
	earliestOrigin = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	latestOrigin   = int64(1<<32 - 1)
)

// originTime returns the time an SDP was made, if it says: pion writes the
// Unix time at which it made a session as the first version of the session,
// in the origin line ("o=- 3678197250024228489 1795314694 IN IP4 ..."). Other
// makers count from 0 or 1, or from a random number, below 2020 as a time
// only by a chance of one in billions; for them it returns the zero Time.
func originTime(sdp string) time.Time {
	for line := range strings.Lines(sdp) {
		origin, ok := strings.CutPrefix(line, "o=")
		if !ok {
			continue
		}
		fields := strings.Fields(origin)
		if len(fields) < 3 {
			return time.Time{}
		}
		v, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || v < earliestOrigin || v > latestOrigin {
			return time.Time{}
		}
		return time.Unix(v, 0)
	}
	return time.Time{}
}
