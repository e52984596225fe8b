package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// certificateLife is how long a certificate of SelfSigned is valid: 397
// days, the most any browser takes for a server's certificate. A kept one
// (LoadCertificate) is made anew when it ends.
const certificateLife = 397 * 24 * time.Hour

// ErrCertificatePermissions means the file that keeps the page's
// certificate can be read by other users: its key is no longer this
// user's alone, and anyone holding it can pose as the page.
var ErrCertificatePermissions = errors.New("the page's certificate file can be read by other users: its key may be known to them; delete it to make a new one, or chmod 600 it if you are sure no one read it")

// SelfSigned makes a self-signed certificate for serving the page over
// HTTPS at the given IP addresses and host names, with a new P-256 key.
//
// Browsers give the camera and microphone only to secure pages: on another
// device of the LAN, that means HTTPS. No authority vouches for this
// certificate, so the browser warns before showing the page; the person
// checks that the fingerprint it shows is the one pigeon printed
// (Fingerprint), and goes on.
func SelfSigned(hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making a key for the certificate: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making the certificate's serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"pigeon"}, CommonName: "pigeon call page"},
		NotBefore:             now.Add(-time.Hour), // a little slack for a phone's clock
		NotAfter:              now.Add(certificateLife),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making the certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading back the certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// LoadCertificate returns the certificate and key kept in the PEM file at
// path, and makes a new one with SelfSigned for hosts when there is none
// yet or it has expired (made says so), written with mode 0600 in a
// directory of mode 0700. Keeping it keeps its fingerprint: a person
// checks it once, at the browser's warning, and recognises it from then
// on, and a browser that was told to trust it goes on doing so. A file
// others can read is refused with ErrCertificatePermissions.
func LoadCertificate(path string, hosts []string, now time.Time) (cert tls.Certificate, made bool, err error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cert, err := keepNew(path, hosts, now)
		return cert, err == nil, err
	case err != nil:
		return tls.Certificate{}, false, fmt.Errorf("reading the page's certificate: %w", err)
	case info.Mode().Perm()&0o077 != 0:
		return tls.Certificate{}, false, fmt.Errorf("%s: %w", path, ErrCertificatePermissions)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("reading the page's certificate: %w", err)
	}
	cert, err = tls.X509KeyPair(data, data)
	if err == nil && cert.Leaf == nil {
		cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0])
	}
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("reading the page's certificate %s: it is not a certificate and key pigeon wrote (delete it to make a new one): %w", path, err)
	}
	if !now.Before(cert.Leaf.NotAfter) {
		cert, err := keepNew(path, hosts, now)
		return cert, err == nil, err
	}
	return cert, false, nil
}

// keepNew makes a certificate for hosts and writes it, with its key, to
// path: whole or not at all, over the expired one if there is one.
func keepNew(path string, hosts []string, now time.Time) (tls.Certificate, error) {
	cert, err := SelfSigned(hosts, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("writing the page's certificate: %w", err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})...)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("writing the page's certificate: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*") // mode 0600
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("writing the page's certificate: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return tls.Certificate{}, fmt.Errorf("writing the page's certificate %s: %w", path, err)
	}
	return cert, nil
}

// Unnamed returns the hosts that cert does not name: a browser that
// reaches the page at one of them warns about the name too.
func Unnamed(cert tls.Certificate, hosts []string) []string {
	var unnamed []string
	for _, h := range hosts {
		if cert.Leaf == nil || cert.Leaf.VerifyHostname(h) != nil {
			unnamed = append(unnamed, h)
		}
	}
	return unnamed
}

// Fingerprint returns the SHA-256 fingerprint of a certificate as browsers
// show it: upper-case hexadecimal pairs separated by colons.
func Fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(pairs, ":")
}

// URLs lists the URLs of the page served at addr, with scheme "http" or
// "https": addr itself, or for an unspecified address, loopback first and
// then each IPv4 address of this machine's interfaces, the ones another
// device on the LAN can reach.
func URLs(addr *net.TCPAddr, scheme string) []string {
	return urls(addr, scheme, "")
}

// PinnedURLs lists the https URLs of the page served at addr with cert,
// as URLs does, each with the certificate's SHA-256 fingerprint in its
// fragment ("#sha256=AB12..."), which browsers never send: whoever opens
// one (from the QR code pigeon draws) can check that the certificate the
// browser shows is the one named there.
func PinnedURLs(addr *net.TCPAddr, cert tls.Certificate) []string {
	return urls(addr, "https", "#sha256="+strings.ReplaceAll(Fingerprint(cert), ":", ""))
}

func urls(addr *net.TCPAddr, scheme, fragment string) []string {
	port := strconv.Itoa(addr.Port)
	url := func(ip net.IP) string { return scheme + "://" + net.JoinHostPort(ip.String(), port) + "/" + fragment }
	var urls []string
	for _, ip := range Hosts(addr) {
		urls = append(urls, url(ip))
	}
	return urls
}

// Hosts lists the addresses at which the page served at addr is reached,
// as URLs does.
func Hosts(addr *net.TCPAddr) []net.IP {
	if !addr.IP.IsUnspecified() {
		return []net.IP{addr.IP}
	}
	hosts := []net.IP{net.IPv4(127, 0, 0, 1)}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return hosts
	}
	for _, a := range ifaddrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() || ipnet.IP.IsLinkLocalUnicast() || ipnet.IP.To4() == nil {
			continue
		}
		hosts = append(hosts, ipnet.IP)
	}
	return hosts
}
