package transfer

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// benchMiB is the size BenchmarkTransfer moves; issue 8 asks for 256:
//
//	go test -run '^$' -bench Transfer -benchtime 3x ./transfer/ -args -transfer-mib 256
var benchMiB = flag.Int("transfer-mib", 64, "MiB that BenchmarkTransfer moves in each transfer")

// pion's data-channels-flow-control example, as it sets up its channel.
const (
	exampleMessage   = 1024
	exampleLow       = 512 * 1024
	exampleMaxBuffer = 1024 * 1024
)

// BenchmarkTransfer moves the same bytes over loopback between two
// in-process peers in several ways, taking turns in each iteration so that
// a machine whose load changes slows them all alike:
//
//   - example: pion's data-channels-flow-control example as it is: default
//     SCTP settings, an unordered channel without retransmissions, 1 KiB
//     messages, its thresholds (wait above 1 MiB queued, resume at
//     512 KiB), and the bytes go nowhere. What is lost is lost: its MB/s
//     counts what arrived, and example-lost-% the rest.
//   - reliable: the same on an ordered, reliable channel, which a file
//     needs.
//   - untuned: a pigeon transfer of a file, hashed at both ends and
//     written to a file, with pion's default settings.
//   - pigeon: the same with Tune on both peers, and Go's collector at
//     GCPercent, as pigeon's commands run a transfer; the others run at
//     the process's pace (Go's default of 100 unless GOGC says).
//
// It reports each one's MB/s, the processor time both peers spent for each
// MiB that arrived (which a loaded machine changes less than the rate), pigeon's ratio to the two examples, and the
// peak growth of the heap in use and of resident memory during each kind
// of transfer: flat memory means these stay the same whatever
// -transfer-mib is.
func BenchmarkTransfer(b *testing.B) {
	size := int64(*benchMiB) << 20
	ordered, unordered, noRetransmits := true, false, uint16(0)
	examplePair, reliablePair := newPair(b, nil, nil), newPair(b, nil, nil)
	untuned, tuned := pigeonBench(b, nil, size), pigeonBench(b, tune, size)
	variants := []*variant{
		{name: "example", run: func() int64 {
			init := &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &noRetransmits}
			return rawTransfer(b, examplePair, init, size, exampleFlow)
		}},
		{name: "reliable", run: func() int64 {
			return rawTransfer(b, reliablePair, &webrtc.DataChannelInit{Ordered: &ordered}, size, exampleFlow)
		}},
		{name: "untuned", run: untuned},
		{name: "pigeon", run: func() int64 {
			defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
			return tuned()
		}},
	}

	var mem memPeaks
	mem.start()
	defer mem.stop()
	b.ResetTimer()
	for i := range b.N {
		for j := range variants {
			v := variants[(i+j)%len(variants)] // each goes first in turn
			b.StopTimer()
			runtime.GC()
			mem.reset()
			b.StartTimer()
			start, cpu := time.Now(), cpuTime()
			v.arrived += v.run()
			v.elapsed += time.Since(start)
			v.cpu += cpuTime() - cpu
			heap, rss := mem.peaks()
			v.heap, v.rss = max(v.heap, heap), max(v.rss, rss)
		}
	}
	b.StopTimer()

	mbs := map[string]float64{}
	for _, v := range variants {
		mbs[v.name] = float64(v.arrived) / 1e6 / v.elapsed.Seconds()
		b.ReportMetric(mbs[v.name], v.name+"-MB/s")
		if v.cpu > 0 && v.arrived > 0 {
			// Both peers' processor time for each MiB that arrived: what
			// limits the rate on a busy machine, whatever else runs.
			b.ReportMetric(float64(v.cpu.Milliseconds())/(float64(v.arrived)/(1<<20)), v.name+"-CPU-ms/MiB")
		}
		if v.name == "example" {
			b.ReportMetric(100*(1-float64(v.arrived)/float64(int64(b.N)*size)), "example-lost-%")
		}
		if v.name == "reliable" || v.name == "pigeon" {
			b.ReportMetric(v.heap, v.name+"-peak-heap-MiB")
			b.ReportMetric(v.rss, v.name+"-peak-RSS-MiB")
		}
	}
	b.ReportMetric(mbs["pigeon"]/mbs["example"], "x-example")
	b.ReportMetric(mbs["pigeon"]/mbs["reliable"], "x-reliable")
}

// variant is one way BenchmarkTransfer moves bytes, and how it did.
type variant struct {
	name      string
	run       func() (arrived int64)
	arrived   int64
	elapsed   time.Duration
	cpu       time.Duration // processor time, both peers
	heap, rss float64       // peak growth, MiB
}

var exampleFlow = flow{chunk: exampleMessage, high: exampleMaxBuffer, low: exampleLow}

// rawTransfer sends size bytes the way pion's example does, with the
// message size and thresholds of fl, and returns how many arrived, once
// all have, or once the channel has nothing left to send and nothing more
// arrives.
func rawTransfer(b testing.TB, p *pair, init *webrtc.DataChannelInit, size int64, fl flow) int64 {
	var got atomic.Int64
	all := make(chan struct{})
	p.onChannel = func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(msg webrtc.DataChannelMessage) {
			if got.Add(int64(len(msg.Data))) == size {
				close(all)
			}
		})
	}
	dc := p.open(b, init)
	opened := make(chan struct{})
	sendMore := make(chan struct{}, 1)
	dc.OnOpen(func() { close(opened) })
	dc.SetBufferedAmountLowThreshold(fl.low)
	dc.OnBufferedAmountLow(func() {
		select {
		case sendMore <- struct{}{}:
		default:
		}
	})
	<-opened
	<-p.incoming
	defer dc.Close()
	buf := make([]byte, fl.chunk)
	for sent := int64(0); sent < size; sent += int64(fl.chunk) {
		if err := dc.Send(buf[:min(int64(fl.chunk), size-sent)]); err != nil {
			b.Fatal(err)
		}
		if dc.BufferedAmount() > fl.high {
			<-sendMore
		}
	}
	deadline := time.After(time.Minute)
	for last := int64(-1); ; {
		select {
		case <-all:
			return size
		case <-deadline:
			b.Fatalf("%d of %d bytes arrived", got.Load(), size)
		case <-time.After(50 * time.Millisecond):
			// An unreliable channel drops what it gives up on.
			if n := got.Load(); n == last && dc.BufferedAmount() == 0 {
				return n
			} else {
				last = n
			}
		}
	}
}

// pigeonBench connects a pair with tune applied and returns a function
// that sends a file of size bytes from one to the other.
func pigeonBench(b *testing.B, tune func(*webrtc.SettingEngine), size int64) func() int64 {
	dir := benchDir(b)
	src := filepath.Join(dir, "source")
	writeBenchFile(b, src, size)
	dst := filepath.Join(dir, "received")
	if err := os.Mkdir(dst, 0o755); err != nil {
		b.Fatal(err)
	}
	ins := make(chan *Incoming, 1)
	p := newPair(b, tune, func(dc *webrtc.DataChannel) {
		ins <- Receive(context.Background(), dc, ReceiveOptions{Dir: dst, AcceptAll: true})
	})
	return func() int64 {
		if _, err := Send(context.Background(), p.open(b, nil), src, SendOptions{}); err != nil {
			b.Fatal(err)
		}
		res, err := (<-ins).Wait()
		<-p.incoming
		if err != nil {
			b.Fatal(err)
		}
		defer os.Remove(res.Path)
		return res.Size
	}
}

// benchDir is a directory in memory when there is one, so that a
// benchmark measures the transfer and not the disk.
func benchDir(b *testing.B) string {
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "pigeon-bench-"); err == nil {
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

func writeBenchFile(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for left := size; left > 0; left -= int64(len(buf)) {
		if _, err := f.Write(buf[:min(int64(len(buf)), left)]); err != nil {
			b.Fatal(err)
		}
	}
}

// memPeaks follows the peak of the heap in use, sampled, and of resident
// memory, as the kernel records it.
type memPeaks struct {
	mu       sync.Mutex
	heapBase uint64
	heapPeak uint64
	rssBase  int64
	done     chan struct{}
	wg       sync.WaitGroup
}

func (m *memPeaks) start() {
	m.done = make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				m.mu.Lock()
				m.heapPeak = max(m.heapPeak, ms.HeapInuse)
				m.mu.Unlock()
			}
		}
	}()
}

func (m *memPeaks) stop() {
	close(m.done)
	m.wg.Wait()
}

// reset starts a new measurement from what is in use now.
func (m *memPeaks) reset() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.mu.Lock()
	m.heapBase, m.heapPeak = ms.HeapInuse, ms.HeapInuse
	m.mu.Unlock()
	m.rssBase = resetPeakRSS()
}

// peaks returns the growth of the heap and of resident memory since
// reset, in MiB; the second is 0 where the system does not say.
func (m *memPeaks) peaks() (heap, rss float64) {
	m.mu.Lock()
	heap = float64(m.heapPeak-m.heapBase) / (1 << 20)
	m.mu.Unlock()
	if m.rssBase > 0 {
		rss = float64(max(peakRSS()-m.rssBase, 0)) / (1 << 20)
	}
	return heap, rss
}

// resetPeakRSS resets the kernel's record of the process's peak resident
// memory (Linux), and returns the resident memory now; 0 where that cannot
// be done.
func resetPeakRSS() int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0
	}
	return procStatus("VmRSS")
}

// peakRSS is the peak resident memory since resetPeakRSS.
func peakRSS() int64 { return procStatus("VmHWM") }

// procStatus reads a field of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
