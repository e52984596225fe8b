package call

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/transport/v5/vnet"

	"github.com/pigeon-call/pigeon/offline"
)

// TestWatcherCannotForgeChecks puts a watcher on the wire between two
// sessions: it reads every packet, and may send its own. It learns each
// side's certificate from the DTLS handshake (DTLS 1.2 sends it in the
// clear) and the ufrags from the connectivity checks (STUN sends them in
// the clear), and forges a check to the callee signed with the password it
// derives from the callee's fingerprint, as pigeon's compact codes of
// version 3 made them. Against credentials made that way, the callee
// answers the forgery; against those of offline.ICECredentials, with the
// secret the code carries, it drops it, and answers only a check signed
// with its real password, sent after it.
func TestWatcherCannotForgeChecks(t *testing.T) {
	for _, tt := range []struct {
		name        string
		credentials func([]byte) (string, string)
		forged      bool // the forgery is answered
	}{
		{"from the fingerprint alone", fingerprintOnly, true},
		{"with the code's secret", offline.ICECredentials, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPath(t, 0)
			w := newWatcher(t, p)
			on := func(role Role) func(*Options) {
				return func(o *Options) {
					o.Net, o.Interfaces, o.Credentials = p.nets[role], nil, tt.credentials
				}
			}
			caller := newPeer(t, Caller, nil, 10*time.Second, on(Caller))
			callee := newPeer(t, Callee, nil, 10*time.Second, on(Callee))
			connect(t, caller, callee)
			waitReady(t, "caller", caller)
			waitReady(t, "callee", callee)

			cert, ufrags, to := w.seen(t, "10.0.0.2")
			fp := sha256.Sum256(cert)
			_, guess := fingerprintOnly(fp[:])
			real := iceAttr(callee.pc.LocalDescription().SDP, "a=ice-pwd:")
			forged, control := w.check(t, to, ufrags, guess), w.check(t, to, ufrags, real)
			answered := w.answered(t, control, forged)
			if answered != tt.forged {
				t.Errorf("the callee answered the forged check: %v, want %v", answered, tt.forged)
			}
		})
	}
}

// fingerprintOnly derives ICE credentials from the fingerprint alone, as
// version 3 of the compact codes did.
func fingerprintOnly(fp []byte) (ufrag, pwd string) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	derive := func(info string, n int) string {
		key, err := hkdf.Key(sha256.New, fp, []byte("pigeon ICE credentials v1"), info, n)
		if err != nil {
			panic(err)
		}
		for i, b := range key {
			key[i] = chars[int(b)%len(chars)]
		}
		return string(key)
	}
	return derive("ufrag", 16), derive("pwd", 32)
}

// iceAttr returns the value of the first line of sdp that starts with
// prefix.
func iceAttr(sdp, prefix string) string {
	for line := range strings.Lines(sdp) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return v
		}
	}
	return ""
}

// watcher sees every UDP packet the path carries, and has an address of
// its own on it, 10.0.0.3.
type watcher struct {
	conn *vnet.UDPConn

	mu        sync.Mutex
	fragments map[string][]byte // DTLS certificate messages being put together, by sender and sequence
	certs     map[string][]byte // the certificate each address sent, DER
	ufrags    map[string]string // the USERNAME of the checks sent to each address
	ports     map[string]int    // the port those checks went to
}

func newWatcher(t *testing.T, p *path) *watcher {
	t.Helper()
	n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"10.0.0.3"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.router.AddNet(n); err != nil {
		t.Fatal(err)
	}
	w := &watcher{fragments: map[string][]byte{}, certs: map[string][]byte{}, ufrags: map[string]string{}, ports: map[string]int{}}
	p.router.AddChunkFilter(func(c vnet.Chunk) bool {
		if c.Network() == "udp" {
			w.read(c.SourceAddr().(*net.UDPAddr), c.DestinationAddr().(*net.UDPAddr), c.UserData())
		}
		return true
	})
	conn, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("10.0.0.3"), Port: 40000})
	if err != nil {
		t.Fatal(err)
	}
	w.conn = conn.(*vnet.UDPConn)
	t.Cleanup(func() { conn.Close() })
	return w
}

// read takes what a watcher learns from one packet.
func (w *watcher) read(from, to *net.UDPAddr, b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case len(b) >= 20 && b[0] < 2 && binary.BigEndian.Uint32(b[4:]) == stunCookie:
		// A STUN binding request names the receiver's ufrag first.
		if binary.BigEndian.Uint16(b) == 0x0001 {
			if u := stunAttr(b, 0x0006); u != nil {
				w.ufrags[to.IP.String()] = string(u)
				w.ports[to.IP.String()] = to.Port
			}
		}
	case len(b) >= 13 && b[0] >= 20 && b[0] <= 63:
		w.readDTLS(from.IP.String(), b)
	}
}

// readDTLS keeps the certificate in DTLS handshake records: epoch 0 is in
// the clear.
func (w *watcher) readDTLS(from string, b []byte) {
	for len(b) >= 13 {
		n := int(binary.BigEndian.Uint16(b[11:]))
		if len(b) < 13+n {
			return
		}
		record := b[13 : 13+n]
		if b[0] == 22 && binary.BigEndian.Uint16(b[3:]) == 0 {
			for len(record) >= 12 {
				length := int(uint24(record[1:]))
				offset, flen := int(uint24(record[6:])), int(uint24(record[9:]))
				if len(record) < 12+flen || offset+flen > length {
					break
				}
				if record[0] == 11 { // certificate
					key := from + string(record[4:6])
					buf := w.fragments[key]
					if buf == nil {
						buf = make([]byte, length)
						w.fragments[key] = buf
					}
					copy(buf[offset:], record[12:12+flen])
					if offset+flen == length && len(buf) > 6 {
						if der := buf[6:]; len(der) >= int(uint24(buf[3:])) {
							w.certs[from] = der[:uint24(buf[3:])]
						}
					}
				}
				record = record[12+flen:]
			}
		}
		b = b[13+n:]
	}
}

// seen returns what the watcher learned of addr: its certificate, the
// USERNAME of the checks sent to it, and where they went.
func (w *watcher) seen(t *testing.T, addr string) ([]byte, string, *net.UDPAddr) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	cert, ufrags, port := w.certs[addr], w.ufrags[addr], w.ports[addr]
	if cert == nil || ufrags == "" {
		t.Fatalf("the watcher saw no certificate (%d bytes) or no check (%q) of %s", len(cert), ufrags, addr)
	}
	return cert, ufrags, &net.UDPAddr{IP: net.ParseIP(addr), Port: port}
}

// check sends a binding request to addr as the controlling side would,
// signed with pwd, and returns its transaction ID.
func (w *watcher) check(t *testing.T, addr *net.UDPAddr, username, pwd string) []byte {
	t.Helper()
	id := make([]byte, 12)
	rand.Read(id)
	tie := make([]byte, 8)
	rand.Read(tie)
	m := binary.BigEndian.AppendUint16(nil, 0x0001)
	m = append(m, 0, 0)
	m = binary.BigEndian.AppendUint32(m, stunCookie)
	m = append(m, id...)
	m = appendStunAttr(m, 0x0006, []byte(username))
	m = appendStunAttr(m, 0x0024, binary.BigEndian.AppendUint32(nil, 0x6e7f00ff)) // PRIORITY, of a prflx
	m = appendStunAttr(m, 0x802a, tie)                                            // ICE-CONTROLLING
	// MESSAGE-INTEGRITY covers the message with its length counting the
	// attribute itself; FINGERPRINT, everything before it.
	binary.BigEndian.PutUint16(m[2:], uint16(len(m)-20+24))
	mac := hmac.New(sha1.New, []byte(pwd))
	mac.Write(m)
	m = appendStunAttr(m, 0x0008, mac.Sum(nil))
	binary.BigEndian.PutUint16(m[2:], uint16(len(m)-20+8))
	m = appendStunAttr(m, 0x8028, binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(m)^0x5354554e))
	if _, err := w.conn.WriteTo(m, addr); err != nil {
		t.Fatal(err)
	}
	return id
}

// answered waits for the response to the check control, and reports
// whether one to the check forged came before it: the agent answers the
// checks of one address in the order they come.
func (w *watcher) answered(t *testing.T, control, forged []byte) bool {
	t.Helper()
	buf := make([]byte, 1500)
	deadline := time.Now().Add(10 * time.Second)
	seen := false
	for {
		_ = w.conn.SetReadDeadline(deadline)
		n, _, err := w.conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no answer to the check signed with the real password: %v", err)
		}
		if n < 20 || binary.BigEndian.Uint16(buf) != 0x0101 {
			continue // not a success response
		}
		switch id := buf[8:20]; {
		case bytes.Equal(id, forged):
			seen = true
		case bytes.Equal(id, control):
			return seen
		}
	}
}

const stunCookie = 0x2112a442

func appendStunAttr(m []byte, typ uint16, v []byte) []byte {
	m = binary.BigEndian.AppendUint16(m, typ)
	m = binary.BigEndian.AppendUint16(m, uint16(len(v)))
	m = append(m, v...)
	for len(m)%4 != 0 {
		m = append(m, 0)
	}
	return m
}

// stunAttr returns the value of the first attribute of type typ.
func stunAttr(m []byte, typ uint16) []byte {
	for off := 20; off+4 <= len(m); {
		t, n := binary.BigEndian.Uint16(m[off:]), int(binary.BigEndian.Uint16(m[off+2:]))
		if off+4+n > len(m) {
			return nil
		}
		if t == typ {
			return m[off+4 : off+4+n]
		}
		off += 4 + (n+3)&^3
	}
	return nil
}

func uint24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }
