package udpbatch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"golang.org/x/sys/unix"
)

// listen opens a loopback socket of network ("udp4" or "udp6") with a
// receive buffer that holds a test's packets.
func listen(t testing.TB, network string) *net.UDPConn {
	t.Helper()
	ip := net.IPv4(127, 0, 0, 1)
	if network == "udp6" {
		ip = net.IPv6loopback
	}
	c, err := net.ListenUDP(network, &net.UDPAddr{IP: ip})
	if err != nil {
		t.Skipf("no %s loopback: %v", network, err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadBuffer(4 << 20)
	if raw, err := c.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20) })
	}
	return c
}

func wrap(t testing.TB, c *net.UDPConn) *Conn {
	t.Helper()
	w, ok := Wrap(c).(*Conn)
	if !ok {
		t.Fatalf("Wrap(%T) is not batched", c)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func addrOf(c net.PacketConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// packet returns the i-th test packet: n bytes that say which it is.
func testPacket(i, n int) []byte {
	p := bytes.Repeat([]byte{byte(i)}, n)
	copy(p, fmt.Sprint(i, ":"))
	return p
}

// readAll reads datagrams until it has want of them or the deadline passes.
func readAll(t *testing.T, r net.PacketConn, want int) [][]byte {
	t.Helper()
	_ = r.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got [][]byte
	buf := make([]byte, 1<<16)
	for len(got) < want {
		n, _, err := r.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d of %d datagrams: %v", len(got), want, err)
		}
		got = append(got, bytes.Clone(buf[:n]))
	}
	return got
}

func checkSame(t *testing.T, who string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d datagrams, want %d", who, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: datagram %d is %d bytes %q..., want %d bytes %q...", who, i, len(got[i]), got[i][:min(8, len(got[i]))], len(want[i]), want[i][:min(8, len(want[i]))])
		}
	}
}

// TestBurstArrivesAsWritten writes bursts of packets of mixed sizes to two
// peers, one a plain socket and one batched, and checks that each gets its
// own packets whole and in order: the runs the sender joins are cut where
// they were written, by the kernel for the plain socket and by ReadFrom for
// the batched one.
func TestBurstArrivesAsWritten(t *testing.T) {
	for _, network := range []string{"udp4", "udp6"} {
		t.Run(network, func(t *testing.T) {
			send := wrap(t, listen(t, network))
			plain := listen(t, network)
			batched := wrap(t, listen(t, network))
			sizes := []int{1200, 1200, 1200, 1200, 300, 1200, 1200, 0, 1200, 1, 1500, 1500, 9000, 1200}
			var toPlain, toBatched [][]byte
			for i := range 40 * len(sizes) {
				p := testPacket(i, sizes[i%len(sizes)])
				to := addrOf(plain)
				if i%5 == 4 { // an interleaved peer breaks runs too
					to = addrOf(batched)
					toBatched = append(toBatched, p)
				} else {
					toPlain = append(toPlain, p)
				}
				if _, err := send.WriteToAddrPort(p, to); err != nil {
					t.Fatal(err)
				}
			}
			checkSame(t, "plain socket", readAll(t, plain, len(toPlain)), toPlain)
			checkSame(t, "batched socket", readAll(t, batched, len(toBatched)), toBatched)
		})
	}
}

// TestRunIsOneBuffer sends a queue of packets as the sender's goroutine
// does, and checks what reaches a socket that lets the kernel join
// datagrams: a run of one size to one address arrives as one buffer of
// the run's datagrams, a shorter packet ends a run, another address or a
// longer packet starts one.
func TestRunIsOneBuffer(t *testing.T) {
	send := wrap(t, listen(t, "udp4"))
	if !send.gso.Load() {
		t.Skip("this kernel has no UDP_SEGMENT")
	}
	a, b := listen(t, "udp4"), listen(t, "udp4")
	for _, c := range []*net.UDPConn{a, b} {
		raw, _ := c.SyscallConn()
		var err error
		raw.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO, 1) })
		if err != nil {
			t.Skipf("this kernel has no UDP_GRO: %v", err)
		}
	}
	var q batch
	add := func(to *net.UDPConn, n int) {
		q.data = append(q.data, testPacket(len(q.pkts), n)...)
		q.pkts = append(q.pkts, packet{end: len(q.data), addr: addrOf(to)})
	}
	for range 5 {
		add(a, 1000)
	}
	add(a, 400) // ends the run
	add(a, 1000)
	add(a, 1000)
	add(b, 1000) // another address
	add(a, 1000)
	add(a, 1200) // longer: the start of a run
	for range 60 {
		add(a, 1200) // more than one buffer holds
	}
	send.flush(&q)

	type datagram struct{ n, seg int }
	want := map[*net.UDPConn][]datagram{
		a: {{5400, 1000}, {2000, 1000}, {1000, 0}, {64800, 1200}, {8400, 1200}},
		b: {{1000, 0}},
	}
	for c, datagrams := range want {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf, oob := make([]byte, 1<<16), make([]byte, 64)
		for i, w := range datagrams {
			n, oobn, _, _, err := c.ReadMsgUDPAddrPort(buf, oob)
			if err != nil {
				t.Fatalf("datagram %d: %v", i, err)
			}
			if seg := segmentSize(oob[:oobn]); n != w.n || seg != w.seg {
				t.Errorf("datagram %d to %v: %d bytes in datagrams of %d, want %d in %d", i, c.LocalAddr(), n, seg, w.n, w.seg)
			}
		}
	}
}

// TestRefusedSegmentation sends from a socket that has no UDP checksums,
// which Linux does not segment for (EINVAL): the Conn sends the packets
// one by one, then never tries again.
func TestRefusedSegmentation(t *testing.T) {
	c := listen(t, "udp4")
	raw, _ := c.SyscallConn()
	var err error
	raw.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1) })
	if err != nil {
		t.Skipf("SO_NO_CHECK: %v", err)
	}
	send := wrap(t, c)
	if !send.gso.Load() {
		t.Skip("this kernel has no UDP_SEGMENT")
	}
	recv := listen(t, "udp4")
	var q batch
	var want [][]byte
	for i := range 20 {
		p := testPacket(i, 1000)
		want = append(want, p)
		q.data = append(q.data, p...)
		q.pkts = append(q.pkts, packet{end: len(q.data), addr: addrOf(recv)})
	}
	send.flush(&q)
	checkSame(t, "receiver", readAll(t, recv, len(want)), want)
	if send.gso.Load() {
		t.Error("the Conn still segments after the kernel refused")
	}
}

// TestLonePacketIsSentAtOnce writes one packet and nothing after it: it
// must arrive without another write or a close to push it out. First on an
// idle Conn, then right after a burst, where the sender gathers a stream's
// packets: it must stop gathering when nothing more comes.
func TestLonePacketIsSentAtOnce(t *testing.T) {
	send, recv := wrap(t, listen(t, "udp4")), wrap(t, listen(t, "udp4"))
	for i := range 3 {
		p := testPacket(i, 100)
		if _, err := send.WriteTo(p, recv.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		checkSame(t, "receiver, idle", readAll(t, recv, 1), [][]byte{p})
	}
	var burst [][]byte
	for i := range 200 {
		p := testPacket(i, 1200)
		burst = append(burst, p)
		if _, err := send.WriteTo(p, recv.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	checkSame(t, "receiver, burst", readAll(t, recv, len(burst)), burst)
	for i := range 50 {
		p := testPacket(i, 100)
		if _, err := send.WriteTo(p, recv.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		checkSame(t, "receiver, after the burst", readAll(t, recv, 1), [][]byte{p})
	}
}

// TestCloseWhileSending closes a Conn that writers keep writing to: Close
// returns, each write returns nil or net.ErrClosed, and what arrives is
// packets as they were written.
func TestCloseWhileSending(t *testing.T) {
	send, recv := wrap(t, listen(t, "udp4")), listen(t, "udp4")
	const writers = 4
	errs := make(chan error, writers)
	written := make(chan int, writers)
	for w := range writers {
		go func() {
			n := 0
			for i := 0; ; i++ {
				_, err := send.WriteToAddrPort(testPacket(w*1_000_000+i, 1000), addrOf(recv))
				if err != nil {
					written <- n
					errs <- err
					return
				}
				n++
			}
		}()
	}
	// Close once packets flow.
	if _, _, err := recv.ReadFrom(make([]byte, 1500)); err != nil {
		t.Fatal(err)
	}
	if err := send.Close(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for range writers {
		if err := <-errs; !errors.Is(err, net.ErrClosed) {
			t.Errorf("a write during Close: %v, want net.ErrClosed", err)
		}
		total += <-written
	}
	// What was sent is in the receiver's buffer: read it until it is dry.
	got := 1
	buf := make([]byte, 1<<16)
	for {
		_ = recv.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err := recv.ReadFrom(buf)
		if err != nil {
			break
		}
		var w, i int
		if _, err := fmt.Sscanf(string(buf[:n]), "%d:", &i); err != nil || n != 1000 {
			t.Fatalf("a datagram of %d bytes %q..., not a packet written", n, buf[:min(n, 12)])
		}
		w, i = i/1_000_000, i%1_000_000
		if !bytes.Equal(buf[:n], testPacket(w*1_000_000+i, 1000)) {
			t.Fatalf("datagram %d of writer %d is not as written", i, w)
		}
		got++
	}
	if got > total {
		t.Errorf("%d datagrams arrived, but only %d writes succeeded", got, total)
	}
}

// TestCloseSendsWhatIsQueued closes right after a burst: the burst still
// goes out whole, and writes after the close fail.
func TestCloseSendsWhatIsQueued(t *testing.T) {
	send, recv := wrap(t, listen(t, "udp4")), listen(t, "udp4")
	var want [][]byte
	for i := range 300 {
		p := testPacket(i, 1100)
		want = append(want, p)
		if _, err := send.WriteToAddrPort(p, addrOf(recv)); err != nil {
			t.Fatal(err)
		}
	}
	if err := send.Close(); err != nil {
		t.Fatal(err)
	}
	checkSame(t, "receiver", readAll(t, recv, len(want)), want)
	if _, err := send.WriteToAddrPort([]byte("late"), addrOf(recv)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close: %v, want net.ErrClosed", err)
	}
	if err := send.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v, want net.ErrClosed", err)
	}
}

// TestCloseUnblocksRead closes a socket that a reader waits on.
func TestCloseUnblocksRead(t *testing.T) {
	c := wrap(t, listen(t, "udp4"))
	done := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, 1500))
		done <- err
	}()
	// The reader may not have reached the socket yet; either way it ends.
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read on a closed Conn: %v, want net.ErrClosed", err)
	}
}

// TestWrapLeavesOtherConns checks that what is not a system socket, such
// as a socket of pion's virtual network, is returned as it is.
func TestWrapLeavesOtherConns(t *testing.T) {
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", LoggerFactory: logging.NewDefaultLoggerFactory()})
	if err != nil {
		t.Fatal(err)
	}
	n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"10.0.0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := router.AddNet(n); err != nil {
		t.Fatal(err)
	}
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	defer router.Stop()
	c, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if w := Wrap(c); w != c {
		t.Errorf("Wrap(%T) = %T, want it unchanged", c, w)
	}
}

func TestSegmentControlMessage(t *testing.T) {
	for _, size := range []int{1, 1200, 1452, 65535} {
		oob := segmentOOB(make([]byte, 64), size)
		h, data, _, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			t.Fatal(err)
		}
		if h.Level != unix.SOL_UDP || h.Type != unix.UDP_SEGMENT || len(data) != 2 || int(binary.NativeEndian.Uint16(data)) != size {
			t.Errorf("size %d: level %d type %d data %v", size, h.Level, h.Type, data)
		}
	}
}

// groOOB is the control message Linux gives with joined datagrams, laid
// out through x/sys's own header type.
func groOOB(size int32) []byte {
	var m struct {
		h    unix.Cmsghdr
		size int32
		_    [4]byte
	}
	m.h.Level, m.h.Type = unix.SOL_UDP, unix.UDP_GRO
	m.h.SetLen(unix.CmsgLen(4))
	m.size = size
	return bytes.Clone(unsafe.Slice((*byte)(unsafe.Pointer(&m)), unix.CmsgSpace(4)))
}

func TestSegmentSize(t *testing.T) {
	other := groOOB(1200)
	binary.NativeEndian.PutUint32(other[unix.SizeofPtr+4:], unix.IP_TOS) // another message of the same size
	tests := []struct {
		name string
		oob  []byte
		want int
	}{
		{"none", nil, 0},
		{"gro", groOOB(1200), 1200},
		{"after another", append(other, groOOB(1400)...), 1400},
		{"other only", other, 0},
		{"cut short", groOOB(1200)[:unix.CmsgLen(2)], 0},
		{"negative", groOOB(-5), 0},
	}
	for _, tt := range tests {
		if got := segmentSize(tt.oob); got != tt.want {
			t.Errorf("%s: segmentSize = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// FuzzSegmentSize reads control messages as the kernel might write them,
// or not: never past what they hold, never a negative size.
func FuzzSegmentSize(f *testing.F) {
	f.Add(groOOB(1200))
	f.Add(append(groOOB(1), groOOB(2)...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 17, 0, 0, 0, 104, 0, 0, 0})
	f.Fuzz(func(t *testing.T, oob []byte) {
		if got := segmentSize(oob); got < 0 {
			t.Fatalf("segmentSize = %d", got)
		}
	})
}
