package call

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// ICE requires at least 24 bits of username fragment and 128 of password
// (RFC 8445 §5.3); pion refuses less when it gathers.
const (
	minUfragLen = 4
	minPwdLen   = 22
)

// identity is what a session shows its peer to be recognised: its DTLS
// certificate and its ICE credentials.
//
// The certificate is made here, rather than left to pion, so that its
// fingerprint is known before the peer connection exists: the ICE
// credentials derived from it (Options.Credentials) go into the
// SettingEngine, which is built first.
type identity struct {
	certificate webrtc.Certificate
	ufrag, pwd  string // empty: pion picks random ones
	// foreign is set when the peer's connectivity checks name credentials
	// other than its description gave (see tamper.go).
	foreign *atomic.Bool
}

// newIdentity makes the certificate of a session, with an ECDSA P-256 key
// as pion makes its own, unless opts.Certificate gives one, and asks opts.Credentials, if set, for the ICE
// credentials that go with it.
func newIdentity(opts Options) (identity, error) {
	cert := opts.Certificate
	if cert == nil {
		var err error
		if cert, err = NewCertificate(); err != nil {
			return identity{}, err
		}
	}
	id := identity{certificate: *cert, foreign: &atomic.Bool{}}
	if opts.Credentials == nil {
		return id, nil
	}
	fp, err := sha256Fingerprint(cert)
	if err != nil {
		return identity{}, err
	}
	id.ufrag, id.pwd = opts.Credentials(fp)
	if len(id.ufrag) < minUfragLen || len(id.pwd) < minPwdLen {
		return identity{}, fmt.Errorf("ICE credentials too short: want at least %d and %d characters, got %d and %d",
			minUfragLen, minPwdLen, len(id.ufrag), len(id.pwd))
	}
	return id, nil
}

// sha256Fingerprint returns the SHA-256 fingerprint of cert, as the
// a=fingerprint line of the session's SDP will show it.
func sha256Fingerprint(cert *webrtc.Certificate) ([]byte, error) {
	fps, err := cert.GetFingerprints()
	if err != nil {
		return nil, fmt.Errorf("fingerprinting the DTLS certificate: %w", err)
	}
	for _, fp := range fps {
		if fp.Algorithm == "sha-256" {
			b, err := hex.DecodeString(strings.ReplaceAll(fp.Value, ":", ""))
			if err != nil {
				return nil, fmt.Errorf("fingerprinting the DTLS certificate: %w", err)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("fingerprinting the DTLS certificate: no SHA-256 fingerprint")
}

// apply puts what the identity sets into se.
func (id identity) apply(se *webrtc.SettingEngine) {
	se.LoggerFactory = newCheckWatch(se.LoggerFactory, id.foreign)
	if id.ufrag != "" {
		se.SetICECredentials(id.ufrag, id.pwd)
	}
	// A peer's compact signal is rebuilt without a=ssrc lines, which pion
	// uses to tell which media section an incoming stream belongs to.
	// Without them it can fall back on the payload type, unique to one
	// section in pigeon's sessions (see codecs.go), but, for the offerer
	// reading an answer, only with this set. pion v4.2's other way, the MID
	// header extension, routes only simulcast streams, which carry a RID
	// too: a plain stream never gets past its probing.
	se.SetHandleUndeclaredSSRCWithoutAnswer(true)
}
