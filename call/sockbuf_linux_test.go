package call

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// TestCallSocketsHaveLargeBuffers checks that the sockets a call opens get
// the large buffers transfer.Tune asks for, whatever Net the call is given:
// with the system's 208 KiB a file transfer drops packets and stalls.
func TestCallSocketsHaveLargeBuffers(t *testing.T) {
	const want = 4 << 20 // as Linux reports it: twice what was set
	if max, err := os.ReadFile("/proc/sys/net/core/rmem_max"); os.Geteuid() != 0 && (err != nil || atoi(max) < want/2) {
		t.Skip("this process may not have socket buffers past net.core.rmem_max")
	}
	std, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingNet{Net: std}
	caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) { o.Net = rec })
	callee := newPeer(t, Callee, nil, 10*time.Second)
	connect(t, caller, callee)

	open := 0
	for _, c := range rec.opened() {
		raw, err := c.(syscall.Conn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var rcv, snd int
		if raw.Control(func(fd uintptr) {
			rcv, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
			snd, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
		}) != nil {
			continue // closed: the one that found a free port
		}
		open++
		if rcv < want || snd < want {
			t.Errorf("socket %v: receive buffer %d, send buffer %d bytes; want at least %d", c.LocalAddr(), rcv, snd, want)
		}
	}
	if open == 0 {
		t.Fatal("the call has no UDP socket open through its Net")
	}
}

// recordingNet keeps the UDP sockets it opens.
type recordingNet struct {
	transport.Net
	mu    sync.Mutex
	conns []transport.UDPConn
}

func (n *recordingNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err == nil {
		n.mu.Lock()
		n.conns = append(n.conns, c)
		n.mu.Unlock()
	}
	return c, err
}

func (n *recordingNet) opened() []transport.UDPConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]transport.UDPConn(nil), n.conns...)
}

func atoi(b []byte) int {
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}
