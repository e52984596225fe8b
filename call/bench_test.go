package call

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/capture"
)

// Figures for make bench on paths made by pion's vnet, in this process:
// how a call copes with a cut, with loss, and with a peer that dies.

// benchVideo is the small test picture the benchmarks send: enough to
// count frames without loading the machine.
var benchVideo = capture.Options{Video: capture.Test, Audio: capture.None, Width: 160, Height: 120, VideoBitRate: 200_000}

// BenchmarkRecovery cuts the path of a call for ten seconds and reports how
// long after the link came back a chat message sent during the cut was
// delivered, and the pictures were coming again.
func BenchmarkRecovery(b *testing.B) {
	for range b.N {
		p := newPath(b, 25*time.Millisecond) // 50 ms round trip
		caller := newNetPeer(b, Caller, p, testMedia(b, benchVideo), 30*time.Second)
		callee := newNetPeer(b, Callee, p, testMedia(b, benchVideo), 30*time.Second)
		connectOn(b, caller, callee)
		waitFor(b, "pictures", func() bool { return callee.frames.Load() > 10 })

		p.cut.Store(true)
		if err := caller.Send("during the cut"); err != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Second) // the length of the cut the benchmark measures
		framesAtCut := callee.frames.Load()
		p.cut.Store(false)
		back := time.Now()
		var chat, frames time.Duration
		for (chat == 0 || frames == 0) && time.Since(back) < 15*time.Second {
			if chat == 0 && len(callee.received()) == 1 {
				chat = time.Since(back)
			}
			if frames == 0 && callee.frames.Load() > framesAtCut+5 {
				frames = time.Since(back)
			}
			time.Sleep(5 * time.Millisecond) // polls counters that tell no one: the step of the measure
		}
		if chat == 0 || frames == 0 {
			b.Fatalf("after the cut: chat back after %v, pictures after %v (0: never)", chat, frames)
		}
		b.ReportMetric(float64(chat.Milliseconds()), "ms-to-chat")
		b.ReportMetric(float64(frames.Milliseconds()), "ms-to-pictures")
	}
}

// BenchmarkLossyPath runs a call over a path with 100 ms of round trip and
// random loss, and reports the frames a second the callee completes and
// how many of 500 chat messages arrived, in order, within 20 s.
func BenchmarkLossyPath(b *testing.B) {
	for _, loss := range []int32{5, 10} {
		b.Run(fmt.Sprintf("loss=%d%%", loss), func(b *testing.B) {
			for range b.N {
				p := newPath(b, 50*time.Millisecond)
				p.loss.Store(loss)
				caller := newNetPeer(b, Caller, p, testMedia(b, benchVideo), 30*time.Second)
				callee := newNetPeer(b, Callee, p, testMedia(b, benchVideo), 30*time.Second)
				connectOn(b, caller, callee)
				const sent = 500
				for i := range sent {
					if err := caller.Send(fmt.Sprintf("message %d", i)); err != nil {
						b.Fatal(err)
					}
				}
				deadline := time.Now().Add(20 * time.Second)
				for len(callee.received()) < sent && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond) // what arrived in 20 s is counted, all or not
				}
				inOrder := 0
				for i, m := range callee.received() {
					if m != fmt.Sprintf("message %d", i) {
						break
					}
					inOrder++
				}
				b.ReportMetric(callee.fps(3*time.Second), "fps")
				b.ReportMetric(100*float64(inOrder)/sent, "%-chat-in-order")
			}
		})
	}
}

// BenchmarkDeadPeer reports how long a peer that stops without a word
// takes to be reported not responding.
func BenchmarkDeadPeer(b *testing.B) {
	for range b.N {
		p := newPath(b, 5*time.Millisecond)
		caller := newNetPeer(b, Caller, p, nil, 30*time.Second)
		callee := newNetPeer(b, Callee, p, nil, 30*time.Second)
		connectOn(b, caller, callee)
		_ = callee.pc.SCTP().Transport().ICETransport().Stop()
		stopped := time.Now()
		select {
		case at := <-caller.silent:
			b.ReportMetric(float64(at.Sub(stopped).Milliseconds()), "ms-to-report")
		case <-time.After(15 * time.Second):
			b.Fatal("the dead peer was never reported")
		}
	}
}

// BenchmarkConnect reports the time from the caller applying the answer
// to its chat channel opening, on a path of 50 ms round trip, in round
// trips: what connecting costs where the network, not the processor, is
// slow. ICE's check (one), DTLS's handshake (two) and SCTP's (two) take
// five; DTLS's cookie exchange, which the caller leaves out, took one more.
func BenchmarkConnect(b *testing.B) {
	const rtt = 50 * time.Millisecond
	var total time.Duration
	for range b.N {
		p := newPath(b, rtt/2)
		caller := newNetPeer(b, Caller, p, nil, 30*time.Second)
		callee := newNetPeer(b, Callee, p, nil, 30*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		offer, err := caller.Offer(ctx)
		if err != nil {
			b.Fatal(err)
		}
		answer, err := callee.Answer(ctx, offer)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := caller.Accept(answer); err != nil {
			b.Fatal(err)
		}
		select {
		case <-caller.Ready():
		case <-time.After(20 * time.Second):
			b.Fatal("the chat channel never opened")
		}
		total += time.Since(start)
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(float64(mean.Microseconds())/1000, "ms-to-chat")
	b.ReportMetric(float64(mean)/float64(rtt), "round-trips")
}
