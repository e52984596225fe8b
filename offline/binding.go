package offline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// OfferDigestLen is the size of the digest an answer carries of its offer:
// enough that an answer made for another offer, or for an earlier one, is
// told apart but once in four billion times, small enough to cost a compact
// code 6 characters. It is no defence against someone who edits codes, who
// can write any digest: the safety number is.
const OfferDigestLen = 4

// answersToAttr is the session-level SDP attribute that carries the digest
// in a full or JSON answer: "a=pigeon-offer:" and 8 hexadecimal digits.
// Peers that do not know it ignore it, as SDP wants (RFC 8866 §5.13).
const answersToAttr = "a=pigeon-offer:"

// OfferDigest returns the digest of an offer that its answer carries: the
// first OfferDigestLen bytes of the SHA-256 of its SDP, as its code decodes
// (a compact code's rebuilt SDP, not the one it was made from). The caller
// computes it from the code it sent, decoded again, so that both sides hash
// the same text.
func OfferDigest(offer Signal) []byte {
	sum := sha256.Sum256([]byte(offer.SDP))
	return sum[:OfferDigestLen]
}

// CheckAnswer returns an *AnswerMismatchError if answer names an offer other
// than offer: one made for another call, or an earlier answer of a peer
// replayed. An answer that names no offer (AnswersTo is nil: a browser's, or
// an older pigeon's) passes, since nothing in it can be checked; the caller
// may say so.
func CheckAnswer(offer, answer Signal) error {
	if answer.AnswersTo == nil {
		return nil
	}
	if want := OfferDigest(offer); !bytes.Equal(answer.AnswersTo, want) {
		return &AnswerMismatchError{Offer: want, AnswersTo: answer.AnswersTo}
	}
	return nil
}

// withAnswersTo returns the SDP of s with the attribute that names its offer,
// for an answer that has one, at the end of the session-level lines.
func withAnswersTo(s Signal) (string, error) {
	if len(s.AnswersTo) == 0 {
		return s.SDP, nil
	}
	if s.Kind != Answer || len(s.AnswersTo) != OfferDigestLen {
		return "", fmt.Errorf("encoding the %s: only an answer names its offer, with %d bytes", s.Kind, OfferDigestLen)
	}
	return withSessionLine(s.SDP, answersToAttr+hex.EncodeToString(s.AnswersTo)+"\r\n"), nil
}

// takeAnswersTo moves the attribute that names the offer, if an answer's
// SDP has one, from the SDP to AnswersTo, so that a signal reads back as it
// was encoded. An attribute that is not 8 hexadecimal digits, one in an
// offer, or two, make the signal ErrCorrupt.
func takeAnswersTo(s Signal) (Signal, error) {
	if !strings.Contains(s.SDP, answersToAttr) {
		return s, nil
	}
	var kept strings.Builder
	found := false
	for line := range strings.Lines(s.SDP) {
		value, ok := strings.CutPrefix(line, answersToAttr)
		if !ok {
			kept.WriteString(line)
			continue
		}
		digest, err := hex.DecodeString(strings.TrimRight(value, "\r\n"))
		if err != nil || len(digest) != OfferDigestLen || found || s.Kind != Answer {
			return Signal{Kind: s.Kind}, ErrCorrupt
		}
		s.AnswersTo, found = digest, true
	}
	s.SDP = kept.String()
	return s, nil
}
