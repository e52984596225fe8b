package offline

import (
	"crypto/hkdf"
	"crypto/sha256"
)

const (
	// ufragLen and pwdLen are the lengths pion gives its random ICE
	// credentials: 16 and 32 characters, far above the 24 and 128 bits
	// that ICE requires (RFC 8445 §5.3).
	ufragLen = 16
	pwdLen   = 32

	// credentialsSalt names what the keys are for, so that nothing else
	// derived from a fingerprint can coincide with them.
	credentialsSalt = "pigeon ICE credentials v1"

	// iceChars are the characters used in the credentials: letters and
	// digits, a subset of ice-char that needs no escaping anywhere.
	iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// ICECredentials derives the ICE username fragment and password of a peer
// from the SHA-256 fingerprint of its DTLS certificate, with HKDF-SHA-256.
//
// A compact code leaves the credentials out: the peer that reads it derives
// them from the fingerprint the code carries, and the peer that made it must
// have used the same ones, which it does by handing this function to its
// session (call.Options.Credentials). The credentials are no more secret
// than before: a full SDP carries them in the clear next to the
// fingerprint, and the fingerprint, checked by DTLS, is what protects the
// call.
func ICECredentials(fingerprint []byte) (ufrag, pwd string) {
	return deriveICEChars(fingerprint, "ufrag", ufragLen), deriveICEChars(fingerprint, "pwd", pwdLen)
}

// deriveICEChars derives n characters of iceChars for the given use.
func deriveICEChars(fingerprint []byte, info string, n int) string {
	// Key fails only for a length over 255 hash blocks; n is a few dozen.
	key, err := hkdf.Key(sha256.New, fingerprint, []byte(credentialsSalt), info, n)
	if err != nil {
		panic("offline: deriving ICE credentials: " + err.Error())
	}
	// The modulo makes some characters slightly likelier than others, which
	// costs a fraction of a bit out of about 95 for the ufrag and 190 for
	// the password.
	for i, b := range key {
		key[i] = iceChars[int(b)%len(iceChars)]
	}
	return string(key)
}
