package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/pion/webrtc/v4"
)

// identityLifetime is how long an identity's certificate is valid: WebRTC
// checks the fingerprint, not the dates, but pion refuses an expired
// certificate.
const identityLifetime = 20 * 365 * 24 * time.Hour

// ErrIdentityPermissions means an identity file can be read by others than
// its owner: its private key is no longer only this user's.
var ErrIdentityPermissions = errors.New("the identity file can be read by other users: its key may be known to them; make a new identity (delete the file) or chmod 600 it if you are sure no one read it")

// LoadIdentity returns the certificate kept in the PEM file at path, and
// makes one (an ECDSA P-256 key and a self-signed certificate, as pion
// makes for a call, valid for 20 years) if there is no file yet, written
// with permissions 0600. created says it was made now. A file that others
// may read is refused with ErrIdentityPermissions.
func LoadIdentity(path string) (cert webrtc.Certificate, created bool, err error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cert, err := newIdentity(path)
		return cert, err == nil, err
	case err != nil:
		return webrtc.Certificate{}, false, fmt.Errorf("reading the identity: %w", err)
	case info.Mode().Perm()&0o077 != 0:
		return webrtc.Certificate{}, false, fmt.Errorf("%s: %w", path, ErrIdentityPermissions)
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return webrtc.Certificate{}, false, fmt.Errorf("reading the identity: %w", err)
	}
	c, err := webrtc.CertificateFromPEM(string(pem))
	if err != nil {
		return webrtc.Certificate{}, false, fmt.Errorf("reading the identity %s: it is not a certificate and key pigeon wrote: %w", path, err)
	}
	if c.Expires().Before(time.Now()) {
		return webrtc.Certificate{}, false, fmt.Errorf("the identity %s expired on %s: delete it to make a new one", path, c.Expires().Format(time.DateOnly))
	}
	return *c, false, nil
}

func newIdentity(path string) (webrtc.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return webrtc.Certificate{}, fmt.Errorf("making the identity's key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return webrtc.Certificate{}, fmt.Errorf("making the identity: %w", err)
	}
	now := time.Now()
	c, err := webrtc.NewCertificate(key, x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "pigeon"},
		Issuer:       pkix.Name{CommonName: "pigeon"},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(identityLifetime),
		Version:      2,
	})
	if err != nil {
		return webrtc.Certificate{}, fmt.Errorf("making the identity's certificate: %w", err)
	}
	pem, err := c.PEM()
	if err != nil {
		return webrtc.Certificate{}, fmt.Errorf("writing the identity: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return webrtc.Certificate{}, fmt.Errorf("writing the identity: %w", err)
	}
	// O_EXCL: never over a file that appeared meanwhile.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return webrtc.Certificate{}, fmt.Errorf("writing the identity: %w", err)
	}
	_, err = f.WriteString(pem)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return webrtc.Certificate{}, fmt.Errorf("writing the identity %s: %w", path, err)
	}
	return *c, nil
}
