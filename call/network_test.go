package call

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	rtpcodecs "github.com/pion/rtp/codecs"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/calltest"
)

// path is a virtual network between two peers (pion's vnet, all in this
// process) whose faults a test sets: delay each way, random loss, a cut.
type path struct {
	router *vnet.Router
	nets   [2]*lockedNet
	loss   atomic.Int32 // percent of packets dropped
	cut    atomic.Bool  // drop everything
	gone   sync.Map     // addresses (strings) taken away: nothing goes to or from them
	logs   *testLogs
}

func newPath(t testing.TB, oneWay time.Duration) *path {
	t.Helper()
	router, err := vnet.NewRouter(&vnet.RouterConfig{
		CIDR:          "10.0.0.0/24",
		MinDelay:      oneWay,
		LoggerFactory: logging.NewDefaultLoggerFactory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &path{router: router, logs: newTestLogs(t)}
	rng := rand.New(rand.NewSource(1))
	var mu sync.Mutex
	router.AddChunkFilter(func(c vnet.Chunk) bool {
		if p.cut.Load() || p.isGone(c.SourceAddr()) || p.isGone(c.DestinationAddr()) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		return rng.Intn(100) >= int(p.loss.Load())
	})
	for i, ip := range []string{"10.0.0.1", "10.0.0.2"} {
		vn, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
		if err != nil {
			t.Fatal(err)
		}
		p.nets[i] = &lockedNet{Net: vn}
		if err := router.AddNet(vn); err != nil {
			t.Fatal(err)
		}
	}
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { router.Stop() })
	return p
}

func (p *path) isGone(addr net.Addr) bool {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return false
	}
	_, gone := p.gone.Load(ua.IP.String())
	return gone
}

// move gives side its new address and takes the old one away, as when a
// laptop leaves one network for another: what was bound to the old address
// is cut off for good.
func (p *path) move(t *testing.T, side Role, from, to string) {
	t.Helper()
	n := p.nets[side]
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.AddAddress("eth0", &net.IPNet{IP: net.ParseIP(to), Mask: net.CIDRMask(24, 32)}); err != nil {
		t.Fatal(err)
	}
	p.gone.Store(from, true)
	if err := n.RemoveAddress("eth0", net.ParseIP(from)); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&rolePrefix{l: p.logs, role: side}, "test: moved from %s to %s\n", from, to)
}

// lockedNet is a vnet.Net whose interfaces can change during a call: vnet
// hands out its own interface values and changes them in place, so these
// are copies, made while no change is under way.
type lockedNet struct {
	*vnet.Net
	mu sync.RWMutex
}

func (n *lockedNet) Interfaces() ([]*transport.Interface, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	ifaces, err := n.Net.Interfaces()
	if err != nil {
		return nil, err
	}
	copies := make([]*transport.Interface, 0, len(ifaces))
	for _, ifc := range ifaces {
		c := transport.NewInterface(ifc.Interface)
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			c.AddAddress(a)
		}
		copies = append(copies, c)
	}
	return copies, nil
}

func (n *lockedNet) InterfaceByName(name string) (*transport.Interface, error) {
	ifaces, err := n.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, ifc := range ifaces {
		if ifc.Name == name {
			return ifc, nil
		}
	}
	return nil, fmt.Errorf("no interface %q", name)
}

func (n *lockedNet) InterfaceByIndex(index int) (*transport.Interface, error) {
	ifaces, err := n.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, ifc := range ifaces {
		if ifc.Index == index {
			return ifc, nil
		}
	}
	return nil, fmt.Errorf("no interface %d", index)
}

// testLogs collects the logs of a test's sessions, ICE's and the restarts',
// and shows them if the test fails (or PIGEON_TEST_LOGS is set): a lost
// path is explained by the order of events on both sides.
// PION_LOG_TRACE=ice adds every check.
type testLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newTestLogs(t testing.TB) *testLogs {
	l := &testLogs{}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("PIGEON_TEST_LOGS") != "" {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Logf("logs of both sides:\n%s", l.buf.String())
		}
	})
	return l
}

// factory returns a logger factory whose lines start with role.
func (l *testLogs) factory(role Role) logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.Writer = &rolePrefix{l: l, role: role}
	for _, scope := range []string{"ice", "restart", "call"} {
		if level, ok := f.ScopeLevels[scope]; !ok || level < logging.LogLevelDebug {
			f.ScopeLevels[scope] = logging.LogLevelDebug
		}
	}
	return f
}

type rolePrefix struct {
	l    *testLogs
	role Role
}

func (w *rolePrefix) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	fmt.Fprintf(&w.l.buf, "%s %-6v %s", time.Now().Format("15:04:05.000"), w.role, p)
	return len(p), nil
}

// netPeer is a peer on a path that counts the video frames it completes.
type netPeer struct {
	*peer
	frames  atomic.Int64
	pkts    atomic.Int64
	lowest  atomic.Int64  // congestion control's lowest estimate so far
	lowered chan struct{} // told each lower estimate
}

func newNetPeer(t testing.TB, role Role, p *path, media *capture.Media, timeout time.Duration, configure ...func(*Options)) *netPeer {
	t.Helper()
	np := &netPeer{lowered: make(chan struct{}, 1)}
	np.lowest.Store(math.MaxInt64)
	np.peer = newPeer(t, role, media, timeout, func(o *Options) {
		o.Net, o.Interfaces = p.nets[role], nil
		o.LoggerFactory = p.logs.factory(role)
		for _, c := range configure {
			c(o)
		}
	})
	np.OnTargetBitRate(func(bps int) {
		for {
			low := np.lowest.Load()
			if int64(bps) >= low {
				return
			}
			if np.lowest.CompareAndSwap(low, int64(bps)) {
				select {
				case np.lowered <- struct{}{}:
				default:
				}
				return
			}
		}
	})
	np.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() != webrtc.RTPCodecTypeVideo {
			go drain(tr)
			return
		}
		go func() {
			// Count whole frames as a decoder gets them: reassembled in
			// order, with none of their packets missing, waiting half a
			// second at most for a packet that is late.
			sb := samplebuilder.New(256, &rtpcodecs.VP8Packet{}, 90000, samplebuilder.WithMaxTimeDelay(500*time.Millisecond))
			for {
				pkt, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				np.pkts.Add(1)
				sb.Push(pkt)
				for s := sb.Pop(); s != nil; s = sb.Pop() {
					np.frames.Add(1)
				}
			}
		}()
	})
	return np
}

func connectOn(t testing.TB, caller, callee *netPeer) {
	t.Helper()
	calltest.Handshake(t, caller, callee)
	calltest.WaitReady(t, caller)
}

func (np *netPeer) fps(over time.Duration) float64 {
	before := np.frames.Load()
	time.Sleep(over)
	return float64(np.frames.Load()-before) / over.Seconds()
}

func TestLossyPath(t *testing.T) {
	if testing.Short() {
		t.Skip("a call of several seconds over a lossy path")
	}
	p := newPath(t, 50*time.Millisecond) // 100 ms round trip
	p.loss.Store(10)
	caller := newNetPeer(t, Caller, p, testMedia(t, capture.Options{Video: capture.Test, Audio: capture.Test, Width: 320, Height: 240, VideoBitRate: 500_000}), 30*time.Second)
	callee := newNetPeer(t, Callee, p, testMedia(t, capture.Options{Video: capture.Test, Audio: capture.Test, Width: 320, Height: 240, VideoBitRate: 500_000}), 30*time.Second)
	connectOn(t, caller, callee)

	for i := range 1000 {
		if err := caller.Send(fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	sent := time.Now()
	callee.waitReceived(t, "1000 messages", 30*time.Second, count(1000))
	t.Logf("1000 messages took %v", time.Since(sent))
	got := callee.received()
	if len(got) != 1000 {
		t.Fatalf("%d of 1000 chat messages arrived over 10%% loss", len(got))
	}
	for i, m := range got {
		if m != fmt.Sprintf("message %d", i) {
			t.Fatalf("message %d is %q: out of order", i, m)
		}
	}

	fps := callee.fps(3 * time.Second)
	t.Logf("the callee completed %.1f frames a second", fps)
	if fps < 15 {
		t.Errorf("the callee completed %.1f frames a second over 10%% loss, want at least 15", fps)
	}
	// Congestion control lowers the encoder's target when loss passes 10%
	// (GCC holds between 2% and 10%), and the picture keeps coming.
	p.loss.Store(20)
	timeout := time.After(20 * time.Second)
	for caller.lowest.Load() >= 500_000 {
		select {
		case <-caller.lowered:
		case <-timeout:
			t.Fatalf("congestion control kept the video at %d bit/s or more over 20%% loss", caller.lowest.Load())
		}
	}
	if low := caller.lowest.Load(); low >= 500_000 {
		t.Fatalf("congestion control kept the video at %d bit/s or more over 20%% loss", low)
	}
	if fps := callee.fps(2 * time.Second); fps < 10 {
		t.Errorf("over 20%% loss with a lowered bit rate the callee completed %.1f frames a second", fps)
	}
}

func TestOutageRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("a call with a ten-second cut")
	}
	p := newPath(t, 5*time.Millisecond)
	caller := newNetPeer(t, Caller, p, nil, 30*time.Second)
	callee := newNetPeer(t, Callee, p, nil, 30*time.Second)
	connectOn(t, caller, callee)
	if err := caller.Send("before"); err != nil {
		t.Fatal(err)
	}
	callee.waitReceived(t, "the first message", 10*time.Second, count(1))

	p.cut.Store(true)
	cutAt := time.Now()
	select {
	case at := <-caller.silent:
		if d := at.Sub(cutAt); d > 5*time.Second {
			t.Errorf("the cut was noticed after %v, want within 5 s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cut was never noticed")
	}
	if err := caller.Send("during the cut"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10*time.Second - time.Since(cutAt))
	p.cut.Store(false)
	back := time.Now()

	callee.waitReceived(t, "the message sent during the cut", 10*time.Second, count(2))
	if got := callee.received(); len(got) != 2 || got[1] != "during the cut" {
		t.Fatalf("after the cut the callee has %q", got)
	}
	if d := time.Since(back); d > 3*time.Second {
		t.Errorf("the chat resumed %v after the link came back, want within 3 s", d)
	}
	select {
	case <-caller.Done():
		t.Fatalf("the call ended: %v", caller.Wait())
	default:
	}
	waitFor(t, "the acknowledgement", func() bool { return len(caller.Undelivered()) == 0 })
	caller.waitEvents(t, EventConnected, EventReconnecting, EventReconnected)
}

// TestOutageLost: a cut longer than the timeout is told as a loss, then
// the end, and the call ends with ErrConnectionLost.
func TestOutageLost(t *testing.T) {
	p := newPath(t, 5*time.Millisecond)
	caller := newNetPeer(t, Caller, p, nil, 2*time.Second)
	callee := newNetPeer(t, Callee, p, nil, 2*time.Second)
	connectOn(t, caller, callee)
	caller.waitEvents(t, EventConnected)
	p.cut.Store(true)
	caller.waitEvents(t, EventReconnecting, EventLost)
	if err := caller.Wait(); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("the call ended with %v, want ErrConnectionLost", err)
	}
}

func TestAddressChange(t *testing.T) {
	if testing.Short() {
		t.Skip("calls whose peer moves to another address")
	}
	for _, mover := range []Role{Caller, Callee} {
		t.Run(mover.String()+" moves", func(t *testing.T) {
			p := newPath(t, 5*time.Millisecond)
			media := capture.Options{Video: capture.Test, Audio: capture.None, Width: 160, Height: 120, VideoBitRate: 200_000}
			peers := [2]*netPeer{
				newNetPeer(t, Caller, p, testMedia(t, media), 30*time.Second),
				newNetPeer(t, Callee, p, testMedia(t, media), 30*time.Second),
			}
			connectOn(t, peers[0], peers[1])
			if err := peers[0].Send("before the move"); err != nil {
				t.Fatal(err)
			}
			peers[1].waitReceived(t, "the first message", 10*time.Second, count(1))

			if fps := peers[1].fps(time.Second); fps < 5 {
				t.Fatalf("before the move the callee completes %.1f frames a second", fps)
			}
			from := []string{"10.0.0.1", "10.0.0.2"}[mover]
			p.move(t, mover, from, "10.0.0.3")
			moved := time.Now()
			other := peers[1-mover]
			had := [2]int{len(peers[0].received()), len(peers[1].received())}
			if err := other.Send("after the move"); err != nil {
				t.Fatal(err)
			}
			if err := peers[mover].Send("from the new address"); err != nil {
				t.Fatal(err)
			}
			peers[0].waitReceived(t, "a message after the move", 20*time.Second, count(had[0]+1))
			peers[1].waitReceived(t, "a message after the move", 20*time.Second, count(had[1]+1))
			t.Logf("chat both ways %v after the move; restarts: caller %d, callee %d",
				time.Since(moved), peers[0].Restarts(), peers[1].Restarts())
			if got := peers[mover].received(); got[len(got)-1] != "after the move" {
				t.Fatalf("the peer that moved got %q", got)
			}
			if got := other.received(); got[len(got)-1] != "from the new address" {
				t.Fatalf("the peer that stayed got %q", got)
			}
			if peers[mover].Restarts() == 0 {
				t.Error("the peer that moved never restarted ICE")
			}
			// Chat can go over a pair that works before the controlling
			// side nominates it: the path is the selected pair, once there.
			var st Stats
			var ok bool
			waitWithin(t, "the moved peer's path from 10.0.0.3", 5*time.Second, func() bool {
				st, ok = peers[mover].Stats()
				return ok && st.Local.Address == "10.0.0.3"
			})
			if !ok || st.Local.Address != "10.0.0.3" {
				t.Errorf("the moved peer's path is %+v (known: %v), want it from 10.0.0.3", st, ok)
			}
			for _, np := range peers {
				if fps := np.fps(2 * time.Second); fps < 5 {
					t.Errorf("the %v completes %.1f frames a second after the move", np.opts.Role, fps)
				}
				select {
				case <-np.Done():
					t.Fatalf("the %v's call ended: %v", np.opts.Role, np.Wait())
				default:
				}
			}
		})
	}
}

// TestFixedPortUnavailable calls with the port of every candidate out of
// reach: freePort finds none, or another program takes the one it found
// before pion listens. pion then picks the ports as it does by default.
func TestFixedPortUnavailable(t *testing.T) {
	for _, taken := range []bool{false, true} {
		name := map[bool]string{false: "no free port", true: "port taken"}[taken]
		t.Run(name, func(t *testing.T) {
			p := newPath(t, 5*time.Millisecond)
			media := capture.Options{Video: capture.Test, Audio: capture.None, Width: 160, Height: 120, VideoBitRate: 200_000}
			var nets [2]*portNet
			var peers [2]*netPeer
			for _, role := range []Role{Caller, Callee} {
				nets[role] = &portNet{Net: p.nets[role], refuse: !taken}
				peers[role] = newNetPeer(t, role, p, testMedia(t, media), 30*time.Second, func(o *Options) { o.Net = nets[role] })
				port := nets[role].found()
				if taken != (port != 0) {
					t.Fatalf("the %v's probe found port %d", role, port)
				}
				if taken {
					ip := []string{"10.0.0.1", "10.0.0.2"}[role]
					conn, err := p.nets[role].ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ip), Port: port})
					if err != nil {
						t.Fatalf("taking port %d: %v", port, err)
					}
					t.Cleanup(func() { conn.Close() })
				}
			}
			connectOn(t, peers[0], peers[1])
			for i, np := range peers {
				if err := np.Send(fmt.Sprintf("from the %v", np.opts.Role)); err != nil {
					t.Fatal(err)
				}
				other := peers[1-i]
				other.waitReceived(t, "a message from the "+np.opts.Role.String(), 10*time.Second, count(1))
				st, ok := np.Stats()
				if !ok {
					t.Fatalf("the %v has no path", np.opts.Role)
				}
				if taken && int(st.Local.Port) == nets[i].found() {
					t.Errorf("the %v's path is from port %d, which another program holds", np.opts.Role, st.Local.Port)
				}
			}
			if fps := peers[1].fps(time.Second); fps < 5 {
				t.Errorf("the callee completes %.1f frames a second", fps)
			}
		})
	}
}

// portNet is a network whose first UDP listen, freePort's, fails when
// refuse is set, and otherwise notes the port it found.
type portNet struct {
	transport.Net
	refuse bool

	mu     sync.Mutex
	probed bool
	port   int
}

func (n *portNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	first := !n.probed
	n.probed = true
	if first && n.refuse {
		return nil, errors.New("no free port")
	}
	conn, err := n.Net.ListenUDP(network, laddr)
	if first && err == nil {
		if a, ok := conn.LocalAddr().(*net.UDPAddr); ok {
			n.port = a.Port
		}
	}
	return conn, err
}

func (n *portNet) found() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.port
}
