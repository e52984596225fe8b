package offline

import (
	"errors"
	"fmt"
	"time"
)

// Kind says whether a signal is an offer or an answer.
type Kind int

// The kinds of signal. The zero Kind is deliberately invalid, so that a
// Signal left unset is refused rather than sent as an offer.
const (
	Offer Kind = iota + 1
	Answer
)

// String returns "offer" or "answer", the words a person sees in messages.
func (k Kind) String() string {
	switch k {
	case Offer:
		return "offer"
	case Answer:
		return "answer"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// article returns the kind with its indefinite article, for sentences.
func (k Kind) article() string {
	switch k {
	case Offer:
		return "an offer"
	case Answer:
		return "an answer"
	}
	return k.String()
}

// valid reports whether k is one of the declared kinds.
func (k Kind) valid() bool { return k == Offer || k == Answer }

// Format is a way of writing a signal as text.
type Format int

// The formats a signal is read and written in; the zero Format,
// FormatAuto, asks Encode to pick.
const (
	FormatAuto    Format = iota
	FormatCompact        // "pg4": only what the peer cannot rebuild, about 80 characters
	FormatFull           // "pg1": the whole SDP, compressed with DEFLATE
	FormatJSON           // base64 of {"type":..., "sdp":...}, as pion's examples and many browser demos write
	FormatSDP            // the SDP itself, as text, ending at a blank line
	FormatRawJSON        // {"type":..., "sdp":...} as it is, as a page's text box may hold it
)

// formatNames are the names of the formats, as flags and messages use them.
var formatNames = map[Format]string{
	FormatAuto:    "auto",
	FormatCompact: "compact",
	FormatFull:    "full",
	FormatJSON:    "json",
	FormatSDP:     "sdp",
	FormatRawJSON: "raw json",
}

// String returns the name of the format: "compact", "full", "json", ...
func (f Format) String() string {
	if name, ok := formatNames[f]; ok {
		return name
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// flagNames are the names a --format flag gives the formats: their own,
// but for raw JSON, whose has no space in it.
var flagNames = []struct {
	name   string
	format Format
}{
	{"auto", FormatAuto}, {"compact", FormatCompact}, {"full", FormatFull}, {"json", FormatJSON},
	{"sdp", FormatSDP}, {"raw-json", FormatRawJSON},
}

// ParseFormat returns the format a --format flag names: auto, compact,
// full, json, sdp or raw-json.
func ParseFormat(name string) (Format, error) {
	for _, f := range flagNames {
		if name == f.name {
			return f.format, nil
		}
	}
	return 0, fmt.Errorf("unknown format %q: use auto, compact, full, json, sdp or raw-json", name)
}

// Signal is one session description on its way to the peer.
type Signal struct {
	Kind Kind
	SDP  string

	// Created is when the signal was made, to the second. Encode writes
	// it in a compact code, using the current time if it is zero; a
	// decoder sets it from a compact code, or from the origin line of an
	// SDP made by pion, which holds the time, and leaves it zero when it
	// cannot know.
	Created time.Time

	// AnswersTo, in an answer, is the digest of the offer it answers
	// (OfferDigest), so that the caller can refuse an answer made for
	// another offer (CheckAnswer). Encode writes it in every format; a
	// decoder sets it from the code, and leaves it nil for an answer that
	// does not say (a browser's, or an older pigeon's). Nil in an offer.
	AnswersTo []byte

	// Format is the format the signal was read in. Encode ignores it.
	Format Format

	// Pigeon says the signal was made by a pigeon, or by pigeon's web
	// page, whose chat is pigeon's own (see maker.go): a decoder sets it
	// for pigeon's codes, and for JSON or SDP that carries pigeon's mark or
	// names its offer. Encode writes the mark in JSON and SDP when it is
	// set; pigeon's own codes need none.
	Pigeon bool
}

// Codec turns a Signal into text and back: one line, but for SDP.
//
// Decode returns the errors of this package (ErrTruncated, ErrCorrupt, ...)
// so that a reader can tell a code cut by a line wrap from a damaged one.
type Codec interface {
	Encode(Signal) (string, error)
	Decode(text string) (Signal, error)
}

// Encode encodes s in the smallest format that can carry it: Compact when
// the session is one that a pigeon can rebuild from a compact code, and Full
// otherwise (other codecs, a browser's SDP, credentials that are not
// derived with ICECredentials, more than 16 candidates).
func Encode(s Signal) (string, error) { return EncodeAs(s, FormatAuto) }

// EncodeAs encodes s in format f, or like Encode for FormatAuto. For
// FormatCompact it returns an error matching ErrNotCompact if s cannot be
// written that way.
func EncodeAs(s Signal, f Format) (string, error) {
	switch f {
	case FormatAuto:
		code, err := Compact.Encode(s)
		if errors.Is(err, ErrNotCompact) {
			return Full.Encode(s)
		}
		return code, err
	case FormatCompact:
		return Compact.Encode(s)
	case FormatFull:
		return Full.Encode(s)
	case FormatJSON:
		return JSON.Encode(s)
	case FormatSDP:
		return SDP.Encode(s)
	case FormatRawJSON:
		return RawJSON.Encode(s)
	}
	return "", fmt.Errorf("encoding the %s: format %v cannot be written", s.Kind, f)
}

// Decode decodes text in any format this version reads: a compact or full
// code (as text, or as the text of its QR code), base64 of JSON, raw JSON or
// raw SDP. What copying adds around the text is taken off first (see Clean
// and ReadSignal). It does not check the kind, nor the age: ReadSignal
// checks the kind, CheckAge the age, or the caller looks at the Signal.
//
// Text after the signal, other than blank lines, makes the whole ErrCorrupt:
// a paste is expected to hold one signal and nothing else.
func Decode(text string) (Signal, error) {
	return decodeText(text)
}
