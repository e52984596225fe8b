package offline

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

const (
	// ufragLen and pwdLen are the lengths pion gives its random ICE
	// credentials: 16 and 32 characters.
	ufragLen = 16
	pwdLen   = 32

	// secretLen is the size of the ICE secret a compact code carries: 64
	// random bits, fresh for each session. Whoever watches the network
	// learns the fingerprint (DTLS 1.2 sends the certificate in the
	// clear) and the ufrags (STUN sends them in the clear), but must find
	// the secret to forge a connectivity check: a search of 2⁶³ HKDFs on
	// average, years of a GPU's work, while the credentials live only as
	// long as the call.
	secretLen = 8

	// credentialsSalt names what the keys are for, so that nothing else
	// derived from a fingerprint can coincide with them. Version 1
	// derived them from the fingerprint alone.
	credentialsSalt = "pigeon ICE credentials v2"

	// iceChars are the characters used in the credentials: letters and
	// digits, a subset of ice-char that needs no escaping anywhere.
	iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// ICECredentials makes the ICE username fragment and password of a session
// whose signals may go as compact codes (call.Options.Credentials): it
// draws a fresh secret of secretLen bytes and derives both from it and the
// SHA-256 fingerprint of the session's DTLS certificate.
//
// A compact code leaves the credentials out and carries the secret: the
// peer that reads it derives the same credentials from the secret and the
// fingerprint. The password starts with the secret, in lower-case
// hexadecimal, so that a session description says what its code must
// carry; the password never leaves the two peers (a full code carries it
// too, and a code must be kept from a watcher of the network as much as
// forged connectivity checks matter: see the package documentation).
func ICECredentials(fingerprint []byte) (ufrag, pwd string) {
	var secret [secretLen]byte
	rand.Read(secret[:]) // never fails: crypto/rand aborts the program if it cannot read
	return deriveCredentials(fingerprint, secret)
}

// deriveCredentials derives the credentials of ICECredentials from
// fingerprint and secret, with HKDF-SHA-256.
func deriveCredentials(fingerprint []byte, secret [secretLen]byte) (ufrag, pwd string) {
	key := append(secret[:], fingerprint...)
	prefix := hex.EncodeToString(secret[:])
	return deriveICEChars(key, "ufrag", ufragLen), prefix + deriveICEChars(key, "pwd", pwdLen-len(prefix))
}

// secretOf returns the secret a password of deriveCredentials starts with.
func secretOf(pwd string) (secret [secretLen]byte, ok bool) {
	if len(pwd) < 2*secretLen {
		return secret, false
	}
	// Lower case only: the password is checked again once derived.
	if _, err := hex.Decode(secret[:], []byte(pwd[:2*secretLen])); err != nil {
		return secret, false
	}
	return secret, true
}

// deriveICEChars derives n characters of iceChars for the given use.
func deriveICEChars(key []byte, info string, n int) string {
	// Key fails only for a length over 255 hash blocks; n is a few dozen.
	out, err := hkdf.Key(sha256.New, key, []byte(credentialsSalt), info, n)
	if err != nil {
		panic("offline: deriving ICE credentials: " + err.Error())
	}
	// The modulo makes some characters slightly likelier than others,
	// which costs a fraction of a bit of the HKDF's output, none of the
	// secret's.
	for i, b := range out {
		out[i] = iceChars[int(b)%len(iceChars)]
	}
	return string(out)
}
