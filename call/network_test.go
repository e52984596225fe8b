package call

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	rtpcodecs "github.com/pion/rtp/codecs"
	"github.com/pion/transport/v4/vnet"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/pigeon-call/pigeon/capture"
)

// path is a virtual network between two peers (pion's vnet, all in this
// process) whose faults a test sets: delay each way, random loss, a cut.
type path struct {
	router *vnet.Router
	nets   [2]*vnet.Net
	loss   atomic.Int32 // percent of packets dropped
	cut    atomic.Bool  // drop everything
}

func newPath(t *testing.T, oneWay time.Duration) *path {
	t.Helper()
	router, err := vnet.NewRouter(&vnet.RouterConfig{
		CIDR:          "10.0.0.0/24",
		MinDelay:      oneWay,
		LoggerFactory: logging.NewDefaultLoggerFactory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &path{router: router}
	rng := rand.New(rand.NewSource(1))
	var mu sync.Mutex
	router.AddChunkFilter(func(vnet.Chunk) bool {
		if p.cut.Load() {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		return rng.Intn(100) >= int(p.loss.Load())
	})
	for i, ip := range []string{"10.0.0.1", "10.0.0.2"} {
		if p.nets[i], err = vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}}); err != nil {
			t.Fatal(err)
		}
		if err := router.AddNet(p.nets[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { router.Stop() })
	return p
}

// netPeer is a peer on a path that counts the video frames it completes.
type netPeer struct {
	*peer
	frames atomic.Int64
	lowest atomic.Int64 // congestion control's lowest estimate so far
}

func newNetPeer(t *testing.T, role Role, p *path, media *capture.Media, timeout time.Duration) *netPeer {
	t.Helper()
	np := &netPeer{}
	np.lowest.Store(math.MaxInt64)
	np.peer = newPeer(t, role, media, timeout, func(o *Options) {
		o.Net, o.Interfaces = p.nets[role], nil
		o.OnTargetBitRate = func(bps int) {
			for {
				low := np.lowest.Load()
				if int64(bps) >= low || np.lowest.CompareAndSwap(low, int64(bps)) {
					return
				}
			}
		}
		o.OnTrack = func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			if tr.Kind() != webrtc.RTPCodecTypeVideo {
				go drain(tr)
				return
			}
			go func() {
				// Count whole frames as a decoder gets them: reassembled
				// in order, with none of their packets missing.
				sb := samplebuilder.New(256, &rtpcodecs.VP8Packet{}, 90000)
				for {
					pkt, _, err := tr.ReadRTP()
					if err != nil {
						return
					}
					sb.Push(pkt)
					for s := sb.Pop(); s != nil; s = sb.Pop() {
						np.frames.Add(1)
					}
				}
			}()
		}
	})
	return np
}

func connectOn(t *testing.T, caller, callee *netPeer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-caller.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("the chat channel never opened")
	}
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
	deadline := sent.Add(30 * time.Second)
	for len(callee.received()) < 1000 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
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
	deadline = time.Now().Add(20 * time.Second)
	for caller.lowest.Load() >= 500_000 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
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
	waitFor(t, "the first message", func() bool { return len(callee.received()) == 1 })

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

	deadline := time.Now().Add(10 * time.Second)
	for len(callee.received()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
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
}
