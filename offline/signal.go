package offline

import "fmt"

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

// Signal is one session description on its way to the peer.
type Signal struct {
	Kind Kind
	SDP  string
}

// Codec turns a Signal into one line of text and back.
//
// Decode returns the errors of this package (ErrTruncated, ErrCorrupt, ...)
// so that a reader can tell a code cut by a line wrap from a damaged one.
type Codec interface {
	Encode(Signal) (string, error)
	Decode(text string) (Signal, error)
}

// Encode encodes s with the default codec, Full for now.
func Encode(s Signal) (string, error) { return Full.Encode(s) }

// Decode decodes text in any format this version knows, only Full for now,
// after cleaning it with Clean. It does not check the kind: ReadSignal does,
// or the caller compares Signal.Kind itself.
func Decode(text string) (Signal, error) {
	// Full cleans the text itself. When a second format comes, this is
	// where the prefix of the cleaned text will pick the codec.
	return Full.Decode(text)
}
