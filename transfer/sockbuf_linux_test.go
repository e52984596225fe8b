package transfer

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pigeon-call/pigeon/internal/udpbatch"
	"github.com/pion/transport/v5/stdnet"
)

func TestBufferedNetGrowsSocketBuffers(t *testing.T) {
	n, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	c, err := bufferedNet{n}.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// What may be had: all of it with CAP_NET_ADMIN, else up to the cap.
	want := udpBuffer
	if data, err := os.ReadFile("/proc/sys/net/core/rmem_max"); err == nil && os.Geteuid() != 0 {
		if max, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			want = min(want, max)
		}
	}
	raw, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	raw.Control(func(fd uintptr) { got, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF) })
	if got < want { // Linux reports twice what was set, for its bookkeeping
		t.Errorf("receive buffer %d bytes, want at least %d", got, want)
	}
}

// TestBufferedNetBatches checks which sockets the tuned Net batches: those
// ICE sends and receives on, not mDNS's, whose group membership needs the
// system's own socket.
func TestBufferedNetBatches(t *testing.T) {
	n, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	c, err := bufferedNet{n}.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*udpbatch.Conn); !ok {
		t.Errorf("a unicast socket is a %T, want a *udpbatch.Conn", c)
	}
	m, err := bufferedNet{n}.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(224, 0, 0, 0), Port: 0})
	if err != nil {
		t.Skipf("no multicast socket here: %v", err)
	}
	defer m.Close()
	if _, ok := m.(*net.UDPConn); !ok {
		t.Errorf("a multicast socket is a %T, want the *net.UDPConn", m)
	}
}
