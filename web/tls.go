package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"
)

// certificateLife is how long a certificate of SelfSigned is valid: it is
// made anew each time the page is served, so a week is plenty.
const certificateLife = 7 * 24 * time.Hour

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
	port := strconv.Itoa(addr.Port)
	url := func(ip net.IP) string { return scheme + "://" + net.JoinHostPort(ip.String(), port) + "/" }
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
