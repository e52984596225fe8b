package offline

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Candidate is one ICE candidate of a session description: an address at
// which its maker may be reached, and so an address that whoever reads the
// signal learns.
type Candidate struct {
	Type      string // host, srflx (as a STUN server saw it), prflx or relay (a TURN server's)
	Protocol  string // udp or tcp
	Address   string // an IP address, or a host name such as an mDNS one
	Port      int
	Component int    // 1 for RTP, 2 for RTCP
	Priority  uint32 // the candidate's priority (RFC 8445 §5.1.2)
	TCPType   string // for tcp: active, passive or so (RFC 6544 §4.5)
}

// Reachable reports whether the candidate says where its maker may be
// reached: a TCP candidate of type active only connects out, and gives
// port 9, the discard port, in place of one (RFC 6544 §4.5).
func (c Candidate) Reachable() bool {
	return c.Protocol != "tcp" || c.TCPType != "active"
}

// String returns the candidate as "host 192.0.2.1:5000 (udp)".
func (c Candidate) String() string {
	host := c.Address
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s %s:%d (%s)", c.Type, host, c.Port, c.Protocol)
}

// Scope says what an address a candidate reveals is, in a person's words:
// "loopback" (this machine only), "LAN" (a private network: RFC 1918, IPv6
// unique local), "link-local", "shared" (a carrier's NAT, RFC 6598),
// "mDNS name" (a name that only the local network resolves, and that says
// nothing of the address), or "public" (anyone on the internet may see it).
func (c Candidate) Scope() string {
	addr, err := netip.ParseAddr(c.Address)
	switch {
	case err != nil && strings.HasSuffix(c.Address, ".local"):
		return "mDNS name"
	case err != nil:
		return "host name"
	}
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsPrivate():
		return "LAN"
	case addr.IsLinkLocalUnicast():
		return "link-local"
	case cgnat.Contains(addr):
		return "shared"
	}
	return "public"
}

// Reveals reports whether the candidate gives away an IP address: an mDNS
// name does not.
func (c Candidate) Reveals() bool {
	_, err := netip.ParseAddr(c.Address)
	return err == nil
}

// cgnat is the shared address space of carriers' NATs (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// errCandidate says that a candidate attribute cannot be parsed.
var errCandidate = errors.New("malformed candidate")

// parseCandidate parses the value of a candidate attribute, with or
// without its "candidate:" (RFC 8839 §5.1):
//
//	candidate:foundation component transport priority address port typ type [...]
func parseCandidate(value string) (Candidate, error) {
	fields := strings.Fields(strings.TrimPrefix(value, "candidate:"))
	if len(fields) < 8 || fields[6] != "typ" {
		return Candidate{}, errCandidate
	}
	component, err1 := strconv.Atoi(fields[1])
	priority, err2 := strconv.ParseUint(fields[3], 10, 32)
	port, err3 := strconv.Atoi(fields[5])
	if err1 != nil || err2 != nil || err3 != nil {
		return Candidate{}, errCandidate
	}
	c := Candidate{
		Type:      fields[7],
		Protocol:  strings.ToLower(fields[2]),
		Address:   fields[4],
		Port:      port,
		Component: component,
		Priority:  uint32(priority),
	}
	// Extensions follow the type as names and values.
	for i := 8; i+1 < len(fields); i += 2 {
		if fields[i] == "tcptype" {
			c.TCPType = fields[i+1]
		}
	}
	return c, nil
}

// Media is one media section of a session description.
type Media struct {
	Kind      string   // audio, video or application (a data channel)
	Codecs    []string // codec names, such as opus or VP8 (payload types of no rtpmap); none for a data channel
	Direction string   // sendrecv, sendonly, recvonly or inactive
	Rejected  bool     // port 0: the answer turned it down
}

// String returns the media as "audio: opus, sendrecv".
func (m Media) String() string {
	if m.Kind == "application" {
		return "data channel"
	}
	s := m.Kind
	if len(m.Codecs) > 0 {
		s += ": " + strings.Join(m.Codecs, ", ")
	}
	if m.Rejected {
		return s + ", rejected"
	}
	return s + ", " + m.Direction
}

// Details is what a signal reveals, for a person to check before they pass
// it on or act on it (pigeon inspect shows it).
type Details struct {
	Kind    Kind
	Format  Format
	Created time.Time // zero if the signal does not say

	// Fingerprint is the certificate fingerprint, as "sha-256 AB:CD:...":
	// what the peer's DTLS certificate must match.
	Fingerprint string
	// Setup is the DTLS role: actpass (an offer), active or passive.
	Setup      string
	Media      []Media
	Candidates []Candidate // of component 1; the RTCP ones repeat them

	// OfferDigest, for an offer, is what its answer must name
	// (OfferDigest); AnswersTo, for an answer, is what it names (nil if
	// it does not say).
	OfferDigest []byte
	AnswersTo   []byte
}

// Inspect returns what s holds, read from its SDP. It does not judge: an SDP
// it cannot make sense of gives empty fields, not an error.
func Inspect(s Signal) Details {
	d := Details{Kind: s.Kind, Format: s.Format, Created: s.Created, AnswersTo: s.AnswersTo}
	if s.Kind == Offer {
		d.OfferDigest = OfferDigest(s)
	}
	var m *Media // the current media section
	for line := range strings.Lines(s.SDP) {
		line = strings.TrimRight(line, "\r\n")
		key, value, _ := strings.Cut(line, ":")
		switch {
		case strings.HasPrefix(line, "m="):
			fields := strings.Fields(strings.TrimPrefix(line, "m="))
			d.Media = append(d.Media, Media{Direction: "sendrecv"})
			m = &d.Media[len(d.Media)-1]
			if len(fields) > 0 {
				m.Kind = fields[0]
			}
			m.Rejected = len(fields) > 1 && fields[1] == "0"
			if len(fields) > 3 && m.Kind != "application" {
				for _, pt := range fields[3:] {
					m.Codecs = append(m.Codecs, pt) // named by its rtpmap, if any
				}
			}
		case key == "a=fingerprint" && d.Fingerprint == "":
			d.Fingerprint = value
		case key == "a=setup" && d.Setup == "":
			d.Setup = value
		case key == "a=candidate":
			if c, err := parseCandidate(value); err == nil && c.Component != 2 {
				d.Candidates = append(d.Candidates, c)
			}
		case key == "a=rtpmap" && m != nil:
			pt, name, _ := strings.Cut(value, " ")
			name, _, _ = strings.Cut(name, "/")
			m.Codecs = slices.DeleteFunc(m.Codecs, func(c string) bool { return c == pt })
			// Retransmissions are no codec of their own, and a codec that
			// comes in several profiles is one to a person.
			if !strings.EqualFold(name, "rtx") && !slices.Contains(m.Codecs, name) {
				m.Codecs = append(m.Codecs, name)
			}
		case m != nil && indexOf(directionNames, strings.TrimPrefix(line, "a=")) >= 0 && strings.HasPrefix(line, "a="):
			m.Direction = strings.TrimPrefix(line, "a=")
		}
	}
	return d
}
