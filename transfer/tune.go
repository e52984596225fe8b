package transfer

import (
	"net"

	"github.com/pigeon-call/pigeon/internal/udpbatch"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// The flow control of a transfer. A sender keeps at most highWater bytes
// queued on its channel and is woken when the queue falls to lowWater, so
// its memory stays the same for a file of any size; a receiver holds at
// most receiveQueue chunks before pion's read loop, then SCTP's window,
// makes the sender wait.
//
// The chunk's and the queues' sizes barely change the rate; what does is
// the UDP socket buffers (see Tune) and the collector's pace (GCPercent).
const (
	// chunkSize is the data in one message: few messages, and still under
	// the 64 KiB buffer pion reads a message into (it grows the buffer,
	// and allocates, for anything larger).
	chunkSize = 60 << 10
	// highWater and lowWater bound the sender's queue, which pion counts
	// until the peer acknowledges it. lowWater is the receive window pion
	// offers (1 MiB): with that much always queued, the sender can fill
	// the peer's whole window on a path of any length. Twice that gives
	// the sender time to read the next chunks. A larger queue is no faster
	// and lives in the heap, which the collector's pace multiplies.
	highWater = 2 << 20
	lowWater  = 1 << 20
	// receiveQueue is how many chunks wait for the receiver's disk.
	receiveQueue = 16
)

// udpBuffer is the size Tune asks for each UDP socket's receive and send
// buffers. Linux's default holds a few milliseconds of a fast transfer:
// when the receiving side is busy for longer, packets are dropped, SCTP
// halves its window, and a lost tail waits out SCTP's one-second
// retransmission timeout. Linux caps the request at net.core.rmem_max and
// net.core.wmem_max unless the process may exceed them (CAP_NET_ADMIN).
//
// The SCTP receive window stays at pion's 1 MiB: a round trip's worth at
// 1 GB/s on a LAN; a larger one only makes longer the bursts that overflow
// socket buffers of the default size, and moved files no faster.
const udpBuffer = 4 << 20

// GCPercent is the pace of Go's collector (GOGC) for a process while a
// transfer runs in it: a program sets it with debug.SetGCPercent when a
// transfer starts and puts its own back when the last one ends, as
// pigeon's commands do. A library does not set it itself: the pace is the
// whole process's.
//
// pion's SCTP and DTLS allocate many times over every byte that moves
// (each packet is copied at every layer, both ways), so at Go's default
// pace the collector takes a good part of a transfer's processor time. A
// slower pace buys speed with heap; 200 is where more heap stopped buying
// much (docs/PERFORMANCE.md has the figures).
const GCPercent = 200

// flow is the flow control of one transfer; tests and benchmarks change it.
type flow struct {
	chunk     int
	high, low uint64
}

var defaultFlow = flow{chunk: chunkSize, high: highWater, low: lowWater}

// Tune sets what pion exposes for fast transfers on se, the SettingEngine
// of a pigeon call whose sockets n opens (nil: pion's standard Net); both
// peers should use it. It
//
//   - gives se n, made to ask for 4 MiB UDP socket buffers on every
//     socket it opens, and to send and receive on ICE's sockets in
//     batches (internal/udpbatch: what queues while a send is under way
//     goes in one system call, as one buffer the kernel segments); Tune
//     sets se's Net, and a SetNet after it would take both away;
//   - turns on SCTP's zero checksum, which DTLS makes redundant (RFC 9653)
//     and which saves a CRC of every packet both ways.
//
// The first is local and the second negotiated, so a peer without Tune
// still connects; its transfers are only slower. They help the media and
// the chat too, which share the sockets and the SCTP association.
func Tune(se *webrtc.SettingEngine, n transport.Net) {
	se.EnableSCTPZeroChecksum(true)
	if n == nil {
		std, err := stdnet.NewNet()
		if err != nil {
			return // pion makes its own, with the system's buffers
		}
		n = std
	}
	se.SetNet(bufferedNet{n})
}

// bufferedNet is a Net whose UDP sockets get larger buffers, where they
// have buffers to size (a virtual network's do not), and whose system
// sockets that ListenUDP opens are batched. TURN's (ListenPacket) and
// connected ones (DialUDP) are left as they are.
type bufferedNet struct{ transport.Net }

func (n bufferedNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	growBuffers(c)
	if laddr != nil && laddr.IP.IsMulticast() {
		return c, nil // mDNS's: its group membership needs the *net.UDPConn
	}
	return udpbatch.Wrap(c), nil
}

func (n bufferedNet) DialUDP(network string, laddr, raddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.DialUDP(network, laddr, raddr)
	if err == nil {
		growBuffers(c)
	}
	return c, err
}

func (n bufferedNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if bc, ok := c.(bufferedConn); err == nil && ok {
		growBuffers(bc)
	}
	return c, err
}

// bufferedConn is a socket whose buffers can be sized.
type bufferedConn interface {
	SetReadBuffer(bytes int) error
	SetWriteBuffer(bytes int) error
}

// growBuffers asks for udpBuffer, and past the system's cap where the
// process may. Smaller buffers are no error: only slower.
func growBuffers(c bufferedConn) {
	_ = c.SetReadBuffer(udpBuffer)
	_ = c.SetWriteBuffer(udpBuffer)
	forceBuffers(c, udpBuffer)
}
