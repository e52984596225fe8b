package udpbatch

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// endpoints are two loopback sockets, plain or batched.
func endpoints(b *testing.B, batched bool) (net.PacketConn, net.PacketConn) {
	x, y := listen(b, "udp4"), listen(b, "udp4")
	if !batched {
		return x, y
	}
	return wrap(b, x), wrap(b, y)
}

// BenchmarkLonePacket is the round trip of one small packet each way on
// loopback, what a packet of a call's media meets when nothing else is
// queued: plain sockets, and batched ones, whose writes go through the
// sender's goroutine.
func BenchmarkLonePacket(b *testing.B) {
	for _, batched := range []bool{false, true} {
		name := "plain"
		if batched {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			x, y := endpoints(b, batched)
			done := make(chan struct{})
			go func() { // y echoes
				defer close(done)
				buf := make([]byte, 1500)
				for {
					n, from, err := y.ReadFrom(buf)
					if err != nil {
						return
					}
					if _, err := y.WriteTo(buf[:n], from); err != nil {
						return
					}
				}
			}()
			p, buf := make([]byte, 200), make([]byte, 1500)
			b.ResetTimer()
			for range b.N {
				if _, err := x.WriteTo(p, y.LocalAddr()); err != nil {
					b.Fatal(err)
				}
				if _, _, err := x.ReadFrom(buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "round-trip-us")
			y.Close()
			<-done
		})
	}
}

// BenchmarkBurst sends bursts of 1.2 kB packets, as SCTP sends a file,
// and reports the processor time of both ends for each packet.
func BenchmarkBurst(b *testing.B) {
	const burst, size = 32, 1200
	for _, batched := range []bool{false, true} {
		name := "plain"
		if batched {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			x, y := endpoints(b, batched)
			got := make(chan int, 1)
			go func() {
				buf := make([]byte, 1500)
				for n := 0; ; n++ {
					if _, _, err := y.ReadFrom(buf); err != nil {
						return
					}
					if n%burst == burst-1 {
						got <- n
					}
				}
			}()
			p := make([]byte, size)
			start := cpuTime()
			b.ResetTimer()
			for range b.N {
				for range burst {
					if _, err := x.WriteTo(p, y.LocalAddr()); err != nil {
						b.Fatal(err)
					}
				}
				select {
				case <-got:
				case <-time.After(5 * time.Second):
					b.Fatal("a burst was lost")
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/1e3/float64(b.N*burst), "CPU-us/packet")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N*burst), "us/packet")
		})
	}
}

// cpuTime is the processor time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
