package udpbatch

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/transport/v5"
	"golang.org/x/sys/unix"
)

var _ transport.UDPConn = (*Conn)(nil)

const (
	// maxSegments is the most datagrams the kernel cuts one buffer into
	// (UDP_MAX_SEGMENTS; 128 on kernels since 6.9, 64 before).
	maxSegments = 64
	// maxBuffer bounds a buffer handed to the kernel for segmentation: a
	// UDP datagram's largest payload over IPv4.
	maxBuffer = 65507
	// maxQueued is how many bytes writers may queue before they wait for
	// the sender: two full segmented sends.
	maxQueued = 2 * maxBuffer
	// streamGap is how soon after a send a write counts as part of a
	// stream, which the sender gathers; later, it is sent at once.
	streamGap = 200 * time.Microsecond
	// gatherFor bounds how long the sender waits for a stream's packets.
	gatherFor = 50 * time.Microsecond
	// readBuffer holds the largest datagram the kernel may join for us.
	readBuffer = 1 << 16
)

// Conn is a UDP socket whose writes are sent in batches and whose reads
// split what the kernel joined. Writes return once queued: an error the
// kernel gives later is not reported, as a packet lost on the path is
// not; writing to a closed Conn fails at once.
type Conn struct {
	udp *net.UDPConn
	gso atomic.Bool // the kernel takes UDP_SEGMENT on this socket
	gro bool        // the kernel may join what arrives

	mu      sync.Mutex
	room    sync.Cond // signalled when the sender takes the queue
	queue   batch     // written, not yet taken by the sender
	sending bool      // the sender has been woken, or is sending
	started bool      // the sender's goroutine runs
	closing bool
	wake    chan struct{}
	stopped chan struct{} // closed when the sender's goroutine ends
	out     batch         // what the sender is sending
	sent    time.Time     // when the sender last sent
	sendOOB [32]byte      // the sender's control message

	rmu  sync.Mutex
	rbuf []byte // the last datagram read, as the kernel joined it
	oob  []byte
	next int // where the next datagram in rbuf starts
	end  int
	seg  int // the size of each datagram in rbuf; the last may be shorter
	from netip.AddrPort
}

// batch is a queue of packets, their bytes one after another.
type batch struct {
	data []byte
	pkts []packet
}

type packet struct {
	end  int // in data; a packet starts where the one before it ends
	addr netip.AddrPort
}

func (b *batch) start(i int) int {
	if i == 0 {
		return 0
	}
	return b.pkts[i-1].end
}

func (b *batch) reset() {
	b.data = b.data[:0]
	b.pkts = b.pkts[:0]
}

// Wrap returns c batched if it is a socket of the system's (a
// *net.UDPConn), and c itself otherwise. It turns on UDP_GRO where the
// kernel has it.
func Wrap(c transport.UDPConn) transport.UDPConn {
	udp, ok := c.(*net.UDPConn)
	if !ok {
		return c
	}
	return newConn(udp)
}

func newConn(udp *net.UDPConn) *Conn {
	c := &Conn{udp: udp, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	c.room.L = &c.mu
	if raw, err := udp.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) {
			// A kernel that knows UDP_SEGMENT reports its size, 0.
			if _, err := unix.GetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_SEGMENT); err == nil {
				c.gso.Store(true)
			}
			c.gro = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO, 1) == nil
		})
	}
	if c.gro {
		c.oob = make([]byte, unix.CmsgSpace(4))
	}
	return c
}

// WriteToAddrPort queues b for addr, and wakes the sender if it sleeps.
func (c *Conn) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	for len(c.queue.data) >= maxQueued && !c.closing {
		c.room.Wait()
	}
	if c.closing {
		c.mu.Unlock()
		return 0, c.closedError("write")
	}
	c.queue.data = append(c.queue.data, b...)
	c.queue.pkts = append(c.queue.pkts, packet{end: len(c.queue.data), addr: addr})
	wake := !c.sending
	c.sending = true
	if !c.started {
		c.started = true
		go c.send()
	}
	c.mu.Unlock()
	if wake {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return len(b), nil
}

// send is the sender's goroutine: it sends what has been queued until
// the queue is empty, then sleeps until the next write.
func (c *Conn) send() {
	defer close(c.stopped)
	for {
		c.mu.Lock()
		for len(c.queue.pkts) == 0 {
			c.sending = false
			if c.closing {
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if time.Since(c.sent) < streamGap {
			c.gather()
		}
		c.queue, c.out = c.out, c.queue
		c.room.Broadcast()
		c.mu.Unlock()

		c.flush(&c.out)
		c.out.reset()
		c.sent = time.Now()
	}
}

// gather lets a writer in the middle of a burst add to the queue before
// the sender takes it: it yields while the queue grows, up to a full
// segmented send or gatherFor. Woken by a burst's first packet, the sender
// would otherwise most often take it alone, as another processor picks the
// sender up while the writer makes the next packet. It is called with c.mu
// held, and only within streamGap of the last send, so that the first
// packet after a pause goes at once.
func (c *Conn) gather() {
	deadline := time.Now().Add(gatherFor)
	for len(c.queue.pkts) < maxSegments && !c.closing {
		n := len(c.queue.pkts)
		c.mu.Unlock()
		// One yield may only put the sender back on the processor it
		// left; the writer may need the second to run.
		runtime.Gosched()
		runtime.Gosched()
		c.mu.Lock()
		if len(c.queue.pkts) == n || time.Now().After(deadline) {
			return
		}
	}
}

// flush sends b: runs of packets to one address, all of one size but the
// last, which may be shorter, as one segmented buffer each.
func (c *Conn) flush(b *batch) {
	for i := 0; i < len(b.pkts); {
		j := i + 1
		if c.gso.Load() {
			j = run(b, i)
		}
		if j-i == 1 {
			c.writeOne(b, i)
			i = j
			continue
		}
		from, to := b.start(i), b.pkts[j-1].end
		size := b.pkts[i].end - from
		_, _, err := c.udp.WriteMsgUDPAddrPort(b.data[from:to], segmentOOB(c.sendOOB[:], size), b.pkts[i].addr)
		if err != nil && refused(err) {
			// This path or socket takes no segmentation; it never will.
			c.gso.Store(false)
			for k := i; k < j; k++ {
				c.writeOne(b, k)
			}
		}
		i = j
	}
}

// run returns the end of the run of packets from i that one segmented
// send may carry.
func run(b *batch, i int) int {
	size := b.pkts[i].end - b.start(i)
	if size == 0 {
		return i + 1
	}
	j := i + 1
	for j < len(b.pkts) && j-i < maxSegments && b.pkts[j].addr == b.pkts[i].addr {
		n := b.pkts[j].end - b.start(j)
		if n > size || n == 0 || b.pkts[j].end-b.start(i) > maxBuffer {
			break
		}
		j++
		if n < size {
			break // only the last may be shorter
		}
	}
	return j
}

func (c *Conn) writeOne(b *batch, i int) {
	_, _ = c.udp.WriteToUDPAddrPort(b.data[b.start(i):b.pkts[i].end], b.pkts[i].addr)
}

// refused reports whether err is the kernel declining to segment: EIO on
// a path through IPsec or a device without checksum offload, EINVAL on a
// socket without checksums, ENOPROTOOPT or EOPNOTSUPP where it has no
// UDP_SEGMENT, EMSGSIZE past the path's MTU.
func refused(err error) bool {
	for _, e := range []syscall.Errno{unix.EIO, unix.EINVAL, unix.ENOPROTOOPT, unix.EOPNOTSUPP, unix.EMSGSIZE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// ReadFromAddrPort reads the next datagram: from what the kernel joined
// in the last read, else from the socket.
func (c *Conn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	if !c.gro {
		return c.udp.ReadFromUDPAddrPort(b)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.next >= c.end {
		if c.rbuf == nil {
			c.rbuf = make([]byte, readBuffer)
		}
		n, oobn, _, from, err := c.udp.ReadMsgUDPAddrPort(c.rbuf, c.oob)
		if err != nil {
			return 0, from, err
		}
		seg := segmentSize(c.oob[:oobn])
		if seg <= 0 || seg > n {
			seg = n
		}
		c.next, c.end, c.seg, c.from = 0, n, seg, from
		if n == 0 {
			return 0, from, nil
		}
	}
	end := min(c.next+c.seg, c.end)
	n := copy(b, c.rbuf[c.next:end])
	c.next = end
	return n, c.from, nil
}

// WriteTo queues b for addr, a *net.UDPAddr.
func (c *Conn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, &net.OpError{Op: "write", Net: "udp", Source: c.LocalAddr(), Addr: addr, Err: syscall.EINVAL}
	}
	return c.WriteToUDP(b, ua)
}

// WriteToUDP queues b for addr.
func (c *Conn) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	if addr == nil {
		return 0, &net.OpError{Op: "write", Net: "udp", Source: c.LocalAddr(), Err: errors.New("no address")}
	}
	return c.WriteToAddrPort(b, addr.AddrPort())
}

// WriteMsgUDP queues b for addr; with control data it is sent at once,
// out of the queue's order.
func (c *Conn) WriteMsgUDP(b, oob []byte, addr *net.UDPAddr) (int, int, error) {
	if len(oob) > 0 {
		return c.udp.WriteMsgUDP(b, oob, addr)
	}
	n, err := c.WriteToUDP(b, addr)
	return n, 0, err
}

// Write sends b on a connected socket, at once.
func (c *Conn) Write(b []byte) (int, error) { return c.udp.Write(b) }

// ReadFrom reads the next datagram.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// ReadFromUDP reads the next datagram.
func (c *Conn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// ReadMsgUDP reads the next datagram. Where the kernel joins datagrams,
// it returns no control data: the control data was the joined one's.
func (c *Conn) ReadMsgUDP(b, oob []byte) (int, int, int, *net.UDPAddr, error) {
	if !c.gro {
		return c.udp.ReadMsgUDP(b, oob)
	}
	n, from, err := c.ReadFromUDP(b)
	return n, 0, 0, from, err
}

// Read reads the next datagram.
func (c *Conn) Read(b []byte) (int, error) {
	n, _, err := c.ReadFromAddrPort(b)
	return n, err
}

// Close sends what is queued, then closes the socket.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return c.closedError("close")
	}
	c.closing = true
	started := c.started
	c.room.Broadcast()
	c.mu.Unlock()
	if started {
		select {
		case c.wake <- struct{}{}:
		default:
		}
		// A send blocked on a full socket buffer gives up after a while.
		_ = c.udp.SetWriteDeadline(time.Now().Add(closeWait))
		<-c.stopped
	}
	return c.udp.Close()
}

// closeWait bounds how long Close waits to send what is queued.
const closeWait = time.Second

func (c *Conn) closedError(op string) error {
	return &net.OpError{Op: op, Net: "udp", Source: c.LocalAddr(), Err: net.ErrClosed}
}

// LocalAddr is the socket's address.
func (c *Conn) LocalAddr() net.Addr { return c.udp.LocalAddr() }

// RemoteAddr is the address a connected socket sends to.
func (c *Conn) RemoteAddr() net.Addr { return c.udp.RemoteAddr() }

// SetDeadline sets the socket's read and write deadlines; a write queued
// before a deadline may be sent after it.
func (c *Conn) SetDeadline(t time.Time) error { return c.udp.SetDeadline(t) }

// SetReadDeadline sets the socket's read deadline. Datagrams already read
// and joined are returned whatever it says.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.udp.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the sends.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.udp.SetWriteDeadline(t) }

// SetReadBuffer sets the socket's receive buffer.
func (c *Conn) SetReadBuffer(bytes int) error { return c.udp.SetReadBuffer(bytes) }

// SetWriteBuffer sets the socket's send buffer.
func (c *Conn) SetWriteBuffer(bytes int) error { return c.udp.SetWriteBuffer(bytes) }

// SyscallConn is the socket's, for its options. Reading through it skips
// the splitting of joined datagrams.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return c.udp.SyscallConn() }
