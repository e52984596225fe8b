package offline

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Compact is the codec of pigeon-to-pigeon signals: it sends only what the
// peer cannot rebuild (the certificate's fingerprint, the ICE secret, the
// candidates, the DTLS role, a media profile and the time) and the peer
// rebuilds the rest of the SDP from a template. See the package
// documentation for the format.
//
// It can write only the sessions its template rebuilds exactly, those of
// pigeon's own calls; Encode returns an error matching ErrNotCompact for
// any other.
var Compact Codec = compactCodec{}

const (
	// compactVersion is the format version Compact writes and reads.
	// Versions 2 and 3 carried no ICE secret: their codes are refused with
	// ErrOutdated.
	compactVersion = 4
	// fingerprintLen is the size of a SHA-256 fingerprint.
	fingerprintLen = 32
	// compactHeaderLen is the size of what comes before the candidates:
	// the media byte, the time, the fingerprint and the ICE secret; an
	// answer adds the digest of its offer (headerLen).
	compactHeaderLen = 1 + 4 + fingerprintLen + secretLen
	// maxCandidates caps the candidates of a compact code. A machine with a
	// few interfaces and a STUN server has half a dozen; past 16 the full
	// form is no longer much larger, and the cap bounds what a decoder
	// reads.
	maxCandidates = 16
)

// Bits of the media byte and of the candidate byte.
const (
	setupShift   = 6    // media byte: the DTLS role in the top 2 bits
	profileMask  = 0x3f // media byte: the media profile in the low 6 bits
	lastFlag     = 0x80 // candidate byte: no candidate follows
	ipv6Flag     = 0x40 // candidate byte: a 16-byte address follows, not 4
	relayShift   = 4    // candidate byte: the relay's protocol preference, 2 bits
	mdnsFlag     = 0x08 // candidate byte: an mDNS name follows, as its 16-byte UUID, not an address
	reservedBits = 0x04 // candidate byte: must be zero
	typeMask     = 0x03 // candidate byte: the candidate type
)

// setupRole is the DTLS role of a description (RFC 8842): an offer leaves it
// to the answer, which takes one.
type setupRole byte

const (
	setupActpass setupRole = iota
	setupActive
	setupPassive
)

var setupNames = []string{"actpass", "active", "passive"}

func (r setupRole) String() string { return setupNames[r] }

// direction is the direction of a media section (RFC 8866 §6.7).
type direction byte

var directionNames = []string{"sendrecv", "sendonly", "recvonly", "inactive"}

func (d direction) String() string { return directionNames[d] }

// candidateTypes are the candidate types in the order of their numbers in a
// compact code, and typePreferences their type preferences (RFC 8445
// §5.1.2.2, as pion sets them), from which the priority is rebuilt.
var (
	candidateTypes  = []string{"host", "srflx", "prflx", "relay"}
	typePreferences = []uint32{126, 100, 110, 0}
)

// compactSignal is what a compact code holds.
type compactSignal struct {
	kind        Kind
	setup       setupRole
	profile     byte
	created     uint32 // Unix time, in seconds
	fingerprint [fingerprintLen]byte
	// secret is what the ICE credentials are derived from, with the
	// fingerprint (ICECredentials).
	secret [secretLen]byte
	// answersTo is the digest of the offer an answer answers (OfferDigest);
	// nil in an offer.
	answersTo  []byte
	candidates []compactCandidate
}

// headerLen is the size of what comes before the candidates in c's code.
func (c *compactSignal) headerLen() int {
	if c.kind == Answer {
		return compactHeaderLen + OfferDigestLen
	}
	return compactHeaderLen
}

// compactCandidate is one candidate of a compact code: UDP always, with a
// priority that follows from its type (and, for a relay, from the protocol
// it reaches the TURN server by).
type compactCandidate struct {
	typ       byte // index in candidateTypes
	relayPref byte // 0-3: TLS, TCP, DTLS, UDP, as pion ranks them; 0 unless a relay
	addr      netip.Addr
	// name, for a host candidate under an mDNS name (--hide-ips), is the
	// UUID of the name "<uuid>.local", and addr is not set.
	name    [16]byte
	hasName bool
	port    uint16
}

// host returns what the candidate line gives as its address.
func (c compactCandidate) host() string {
	if c.hasName {
		return formatUUID(c.name) + ".local"
	}
	return c.addr.String()
}

// parseMDNSName returns the UUID of an mDNS name as pion makes them, a
// version 4 UUID in lower case followed by ".local"
// (draft-ietf-mmusic-mdns-ice-candidates §3.1.1), and false for any other
// name: the template would not write it back the same.
func parseMDNSName(name string) ([16]byte, bool) {
	var u [16]byte
	id, ok := strings.CutSuffix(name, ".local")
	if !ok || len(id) != 36 {
		return u, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(b) != 16 {
		return u, false
	}
	u = [16]byte(b)
	return u, formatUUID(u) == id
}

// formatUUID writes a UUID as 8-4-4-4-12 lower-case hexadecimal digits.
func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// priority returns the priority pion gives the candidate for component:
// type preference, local preference and component (RFC 8445 §5.1.2.1).
func (c compactCandidate) priority(component int) uint32 {
	local := uint32(65535)
	if candidateTypes[c.typ] == "relay" {
		local = uint32(c.relayPref)
	}
	return typePreferences[c.typ]<<24 | local<<8 | uint32(256-component)
}

type compactCodec struct{}

// Encode returns s as a compact code, or an error matching ErrNotCompact
// that says what in s a compact code cannot carry.
func (compactCodec) Encode(s Signal) (string, error) {
	letter, ok := kindLetters[s.Kind]
	if !ok {
		return "", fmt.Errorf("encoding a signal: unknown kind %v", s.Kind)
	}
	c, err := compactFromSDP(s)
	if err != nil {
		return "", fmt.Errorf("encoding the %s: %w (%v): use the full format", s.Kind, ErrNotCompact, err)
	}
	return codePrefix(compactVersion, letter) + base64.RawURLEncoding.EncodeToString(c.marshal()), nil
}

// Decode returns the signal in a compact code, after cleaning it with Clean.
func (compactCodec) Decode(text string) (Signal, error) {
	return decodeOnly(text, FormatCompact)
}

// codePrefix returns the prefix of a code of the given version and kind.
func codePrefix(version int, letter byte) string {
	return magic + strconv.Itoa(version) + string(letter) + "."
}

// compactFromSDP takes from s what a compact code carries, and checks that
// the template rebuilds s from it: anything else in s would be lost. The
// error says what differs, for the person who asked for a compact code.
func compactFromSDP(s Signal) (compactSignal, error) {
	c := compactSignal{kind: s.Kind}
	switch {
	case s.Kind == Answer && len(s.AnswersTo) != OfferDigestLen:
		return c, fmt.Errorf("an answer must name its offer with the %d bytes of OfferDigest, it has %d", OfferDigestLen, len(s.AnswersTo))
	case s.Kind == Answer:
		c.answersTo = append([]byte(nil), s.AnswersTo...)
	case len(s.AnswersTo) > 0:
		return c, fmt.Errorf("an offer answers nothing")
	}
	sdp := s.SDP
	if !strings.HasSuffix(sdp, "\r\n") || !looksLikeSDP([]byte(sdp), true) {
		return c, fmt.Errorf("it is not an SDP with lines ended by CRLF, as pion writes")
	}
	lines := strings.Split(strings.TrimSuffix(sdp, "\r\n"), "\r\n")

	created := s.Created
	if created.IsZero() {
		created = time.Now()
	}
	if sec := created.Unix(); sec < 0 || sec > 1<<32-1 {
		return c, fmt.Errorf("its time %v is out of range", created)
	}
	c.created = uint32(created.Unix())

	var sections []int // index of each m= line
	for i, line := range lines {
		if strings.HasPrefix(line, "m=") {
			sections = append(sections, i)
		}
	}
	if len(sections) != mediaSectionCount+1 {
		return c, fmt.Errorf("it has %d media sections, not audio, video and the chat channel", len(sections))
	}

	fingerprints := 0
	setup := ""
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "a=fingerprint:"):
			fingerprints++
			fp, ok := parseFingerprint(strings.TrimPrefix(line, "a=fingerprint:"))
			if !ok {
				return c, fmt.Errorf("its fingerprint is not SHA-256 (%s)", line)
			}
			c.fingerprint = fp
		case strings.HasPrefix(line, "a=setup:") && setup == "":
			setup = strings.TrimPrefix(line, "a=setup:")
		case strings.HasPrefix(line, "a=candidate:"):
			cand, err := compactCandidateOf(line)
			if err != nil {
				return c, err
			}
			if cand != nil {
				c.candidates = append(c.candidates, *cand)
			}
		}
	}
	if fingerprints != 1 {
		return c, fmt.Errorf("it has %d fingerprints, not one", fingerprints)
	}
	role := indexOf(setupNames, setup)
	switch {
	case role < 0:
		return c, fmt.Errorf("its DTLS role %q is unknown", setup)
	case (s.Kind == Offer) != (setupRole(role) == setupActpass):
		return c, fmt.Errorf("its DTLS role %q does not suit an %s", setup, s.Kind)
	}
	c.setup = setupRole(role)
	switch n := len(c.candidates); {
	case n == 0:
		return c, fmt.Errorf("it has no candidate")
	case n > maxCandidates:
		return c, fmt.Errorf("it has %d candidates, more than %d", n, maxCandidates)
	}

	// The directions of the media sections, for the profile.
	var directions byte
	for i := range mediaSectionCount {
		dir := -1
		for _, line := range lines[sections[i]:sections[i+1]] {
			if d := indexOf(directionNames, strings.TrimPrefix(line, "a=")); d >= 0 && strings.HasPrefix(line, "a=") {
				dir = d
			}
		}
		if dir < 0 {
			return c, fmt.Errorf("media section %d has no direction", i)
		}
		directions = directions<<2 | byte(dir)
	}

	var secret [secretLen]byte
	ok := false
	for _, line := range lines {
		if pwd, found := strings.CutPrefix(line, "a=ice-pwd:"); found {
			secret, ok = secretOf(pwd)
			break
		}
	}
	c.secret = secret
	ufrag, pwd := deriveCredentials(c.fingerprint[:], secret)
	for _, line := range lines {
		if (strings.HasPrefix(line, "a=ice-ufrag:") && line != "a=ice-ufrag:"+ufrag) ||
			(strings.HasPrefix(line, "a=ice-pwd:") && line != "a=ice-pwd:"+pwd) {
			ok = false
		}
	}
	if !ok {
		return c, fmt.Errorf("its ICE credentials are not made with ICECredentials")
	}
	// The media set: the one whose template rebuilds the SDP. The newest is
	// the likeliest, and the one to blame if none does.
	var mismatch string
	for set := len(mediaSets) - 1; set >= 0; set-- {
		c.profile = byte(set)<<setShift | directions
		line, same := sameRebuilt(lines, strings.Split(strings.TrimSuffix(c.sdp(), "\r\n"), "\r\n"))
		if same {
			return c, nil
		}
		if mismatch == "" {
			mismatch = line
		}
	}
	return c, fmt.Errorf("the template does not rebuild its line %q", mismatch)
}

// compactCandidateOf parses a candidate line for a compact code. It returns
// nil for a candidate of component 2 (RTCP), which rtcp-mux, in the
// template, makes useless; the template writes one for each candidate of
// component 1 anyway, as pion does. Anything a compact code cannot carry is
// an error.
func compactCandidateOf(line string) (*compactCandidate, error) {
	c, priority, err := candidateOf(line)
	if c == nil || err != nil {
		return c, err
	}
	for pref := range byte(4) {
		if candidateTypes[c.typ] != "relay" && pref > 0 {
			break
		}
		c.relayPref = pref
		if c.priority(1) == priority {
			return c, nil
		}
	}
	return nil, fmt.Errorf("its candidate %q has a priority the template does not rebuild", line)
}

// candidateOf parses a candidate line as compactCandidateOf does, but
// leaves the priority to the caller: it returns the one the line gives,
// and a relay's preference unset.
func candidateOf(line string) (*compactCandidate, uint32, error) {
	cand, err := parseCandidate(strings.TrimPrefix(line, "a="))
	if err != nil {
		return nil, 0, fmt.Errorf("its candidate %q is malformed", line)
	}
	if cand.Component == 2 {
		return nil, 0, nil
	}
	typ := indexOf(candidateTypes, cand.Type)
	addr, err := netip.ParseAddr(cand.Address)
	name, isName := parseMDNSName(cand.Address)
	switch {
	case cand.Component != 1, cand.Protocol != "udp", typ < 0:
		return nil, 0, fmt.Errorf("its candidate %q is not a UDP candidate of component 1", line)
	case isName && cand.Type != "host":
		return nil, 0, fmt.Errorf("its candidate %q has an mDNS name but is no host candidate", line)
	case isName:
	case err != nil, addr.Zone() != "", !usableAddr(addr):
		return nil, 0, fmt.Errorf("its candidate %q has no IP address or mDNS name a compact code can carry", line)
	case cand.Port < 1 || cand.Port > 65535:
		return nil, 0, fmt.Errorf("its candidate %q has port %d", line, cand.Port)
	}
	// An IPv4-mapped IPv6 address stays one: it takes 16 bytes, and the
	// template prints it back as it was.
	c := compactCandidate{typ: byte(typ), addr: addr, name: name, hasName: isName}
	c.port = uint16(cand.Port)
	return &c, cand.Priority, nil
}

// usableAddr reports whether a is an address a peer can send to: not
// unspecified and not multicast.
func usableAddr(a netip.Addr) bool {
	return a.IsValid() && !a.IsUnspecified() && !a.IsMulticast()
}

// sameRebuilt compares an SDP with the one the template rebuilt, line by
// line, leaving out the lines a compact code drops on purpose: the origin
// line (a session ID and version only), the media stream and track IDs and
// SSRCs (the receiving pion routes by payload type instead), the
// renomination option (renominationLine) and the candidates (compared by
// compactCandidateOf). It returns the first line of the SDP that differs.
func sameRebuilt(sdp, rebuilt []string) (string, bool) {
	sdp, rebuilt = withoutDropped(sdp), withoutDropped(rebuilt)
	for i, line := range sdp {
		if i >= len(rebuilt) || line != rebuilt[i] {
			return line, false
		}
	}
	if len(rebuilt) > len(sdp) {
		return "(the end)", false
	}
	return "", true
}

// droppedPrefixes start the lines that sameRebuilt leaves out.
var droppedPrefixes = []string{"o=", "a=ssrc:", "a=ssrc-group:", "a=msid:", "a=candidate:"}

// renominationLine is the ICE option pigeon's sessions declare, which a
// compact code drops: pion follows the peer's renominations whatever its
// SDP says. Other options (trickle) change what the peer must do, and are
// kept, so the code is refused.
const renominationLine = "a=ice-options:renomination"

func withoutDropped(lines []string) []string {
	var kept []string
	for _, line := range lines {
		if line != renominationLine && !hasAnyPrefix(line, droppedPrefixes) {
			kept = append(kept, line)
		}
	}
	return kept
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// indexOf returns the index of s in list, or -1.
func indexOf(list []string, s string) int {
	for i, item := range list {
		if item == s {
			return i
		}
	}
	return -1
}

// parseFingerprint parses the value of an a=fingerprint line of SHA-256.
func parseFingerprint(value string) (fp [fingerprintLen]byte, ok bool) {
	hexPairs, found := strings.CutPrefix(value, "sha-256 ")
	if !found || len(hexPairs) != fingerprintLen*3-1 {
		return fp, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(hexPairs, ":", ""))
	if err != nil || len(b) != fingerprintLen {
		return fp, false
	}
	return [fingerprintLen]byte(b), true
}

// formatFingerprint writes a fingerprint as an a=fingerprint line's value
// does: upper-case hexadecimal pairs separated by colons.
func formatFingerprint(fp []byte) string {
	pairs := make([]string, len(fp))
	for i, b := range fp {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(pairs, ":")
}

// marshal returns the payload of the code: the fields, then the CRC-32 of
// the kind and the fields.
func (c *compactSignal) marshal() []byte {
	b := make([]byte, 0, c.headerLen()+19*len(c.candidates)+checksumLen)
	b = append(b, byte(c.setup)<<setupShift|c.profile)
	b = binary.BigEndian.AppendUint32(b, c.created)
	b = append(b, c.fingerprint[:]...)
	b = append(b, c.secret[:]...)
	if c.headerLen() > compactHeaderLen {
		b = append(b, c.answersTo...)
	}
	b = appendCandidates(b, c.candidates)
	return binary.BigEndian.AppendUint32(b, compactChecksum(c.kind, b))
}

// appendCandidates appends the candidates of a compact code to b: the last
// one is marked as such.
func appendCandidates(b []byte, candidates []compactCandidate) []byte {
	for i, cand := range candidates {
		flags := cand.typ | cand.relayPref<<relayShift
		if i == len(candidates)-1 {
			flags |= lastFlag
		}
		switch {
		case cand.hasName:
			b = append(b, flags|mdnsFlag)
			b = append(b, cand.name[:]...)
		case cand.addr.Is4():
			b = append(b, flags)
			b = append(b, cand.addr.AsSlice()...)
		default:
			b = append(b, flags|ipv6Flag)
			a16 := cand.addr.As16()
			b = append(b, a16[:]...)
		}
		b = binary.BigEndian.AppendUint16(b, cand.port)
	}
	return b
}

// compactChecksum is the CRC-32 of the code's prefix and fields, so that a
// code whose kind letter or version was changed fails it too.
func compactChecksum(kind Kind, fields []byte) uint32 {
	sum := crc32.ChecksumIEEE([]byte(codePrefix(compactVersion, kindLetters[kind])))
	return crc32.Update(sum, crc32.IEEETable, fields)
}

// parseCompact parses the payload of a compact code of the given kind. It
// returns ErrTruncated if
// p is the beginning of a payload, ErrCorrupt if it cannot be one or fails
// its checksum, and ErrUnsupportedVersion for a media profile this version
// does not know, which only a newer pigeon writes.
func parseCompact(p []byte, kind Kind) (compactSignal, error) {
	c := compactSignal{kind: kind}
	if len(p) == 0 {
		return c, ErrTruncated
	}
	c.setup, c.profile = setupRole(p[0]>>setupShift), p[0]&profileMask
	if int(c.setup) >= len(setupNames) || (kind == Offer) != (c.setup == setupActpass) {
		return c, ErrCorrupt
	}
	off := c.headerLen()
	if len(p) < off {
		return c, ErrTruncated
	}
	c.created = binary.BigEndian.Uint32(p[1:5])
	c.fingerprint = [fingerprintLen]byte(p[5 : 5+fingerprintLen])
	c.secret = [secretLen]byte(p[5+fingerprintLen : compactHeaderLen])
	if off > compactHeaderLen {
		c.answersTo = append([]byte(nil), p[compactHeaderLen:off]...)
	}

	var err error
	if c.candidates, off, err = parseCandidates(p, off); err != nil {
		return c, err
	}
	switch {
	case len(p) < off+checksumLen:
		return c, ErrTruncated
	case len(p) > off+checksumLen, binary.BigEndian.Uint32(p[off:]) != compactChecksum(kind, p[:off]):
		return c, ErrCorrupt
	case int(c.profile) >= profileCount:
		return c, ErrUnsupportedVersion
	}
	return c, nil
}

// parseCandidates parses the candidates of a compact code that start at
// p[off:], and returns them with the offset after the last one. It returns
// ErrTruncated if p ends before the last one, and ErrCorrupt for more than
// maxCandidates or one that cannot be.
func parseCandidates(p []byte, off int) ([]compactCandidate, int, error) {
	var candidates []compactCandidate
	for last := false; !last; {
		if off >= len(p) {
			return nil, 0, ErrTruncated
		}
		flags := p[off]
		last = flags&lastFlag != 0
		cand := compactCandidate{typ: flags & typeMask, relayPref: flags >> relayShift & 3}
		if flags&reservedBits != 0 || (candidateTypes[cand.typ] != "relay" && cand.relayPref != 0) ||
			len(candidates) == maxCandidates {
			return nil, 0, ErrCorrupt
		}
		cand.hasName = flags&mdnsFlag != 0
		if cand.hasName && (flags&ipv6Flag != 0 || candidateTypes[cand.typ] != "host") {
			return nil, 0, ErrCorrupt
		}
		addrLen := 4
		if flags&(ipv6Flag|mdnsFlag) != 0 {
			addrLen = 16
		}
		if off+1+addrLen+2 > len(p) {
			return nil, 0, ErrTruncated
		}
		if cand.hasName {
			cand.name = [16]byte(p[off+1 : off+1+addrLen])
		} else {
			cand.addr, _ = netip.AddrFromSlice(p[off+1 : off+1+addrLen]) // the length is right
		}
		cand.port = binary.BigEndian.Uint16(p[off+1+addrLen:])
		if cand.port == 0 || (!cand.hasName && !usableAddr(cand.addr)) {
			return nil, 0, ErrCorrupt
		}
		candidates = append(candidates, cand)
		off += 1 + addrLen + 2
	}
	return candidates, off, nil
}

// signal returns the signal a compact code holds, with the SDP rebuilt.
func (c *compactSignal) signal() Signal {
	return Signal{Kind: c.kind, SDP: c.sdp(), Created: time.Unix(int64(c.created), 0), Format: FormatCompact, AnswersTo: c.answersTo}
}

// decodeCompactBody decodes the payload of a compact code, in base64 or, for
// the text of a QR code, in alnumDigits.
func decodeCompactBody(kind Kind, body string, alnum bool) (Signal, error) {
	if alnum {
		whole, prefix, err := decodeAlnum(body)
		if err != nil {
			return Signal{}, err
		}
		if whole != nil {
			if c, err := parseCompact(whole, kind); err == nil {
				return c.signal(), nil
			}
		}
		// Complete or not, the groups of 3 digits decode to what the code
		// held; whether they fall short of a payload tells a cut code from a
		// damaged one.
		_, err = parseCompact(prefix, kind)
		if err == nil {
			// A whole payload and 2 digits more, that are no byte.
			return Signal{}, ErrCorrupt
		}
		return Signal{}, err
	}

	payload, canonical, dangling, err := decodeBase64(body)
	if err != nil {
		return Signal{}, err
	}
	c, err := parseCompact(payload, kind)
	switch {
	case err != nil:
		return Signal{}, err
	case dangling || !canonical:
		return Signal{}, ErrCorrupt
	}
	return c.signal(), nil
}
