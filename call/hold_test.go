package call

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
)

func TestConfirms(t *testing.T) {
	for _, tt := range []struct {
		reply                 string
		confirmed, understood bool
	}{
		{"yes", true, true},
		{" Y \n", true, true},
		{"123 456", true, true},
		{"123456", true, true},
		{"no", false, true},
		{"N", false, true},
		{"123 457", false, true},
		{"maybe", false, false},
		{"12345", false, false},
		{"", false, false},
	} {
		confirmed, understood := Confirms(tt.reply, "123 456")
		if confirmed != tt.confirmed || understood != tt.understood {
			t.Errorf("Confirms(%q) = %v, %v; want %v, %v", tt.reply, confirmed, understood, tt.confirmed, tt.understood)
		}
	}
}

// TestVerifyHoldsTheCall has the caller's user take their time to confirm
// the safety number while the callee, who does not verify, sends chat and
// media at once: until the caller confirms, the caller shows none of it and
// sends none of its own (the callee sees no track, no message); once it
// confirms, everything flows both ways, what waited included.
func TestVerifyHoldsTheCall(t *testing.T) {
	confirm := make(chan bool)
	asked := make(chan string, 1)
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second, func(o *Options) {
		o.Verify = func(_ context.Context, v Verification) error {
			asked <- v.SafetyNumber
			if !<-confirm {
				return ErrNotVerified
			}
			return nil
		}
	})
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	connect(t, caller, callee)
	waitReady(t, "callee", callee)

	var number string
	select {
	case number = <-asked:
	case <-time.After(15 * time.Second):
		t.Fatal("the caller's user was never asked")
	}
	if n, _ := callee.SafetyNumber(); n != number {
		t.Fatalf("the caller was asked about %q, the callee sees %q", number, n)
	}
	if err := callee.Send("said while held"); err != nil {
		t.Fatal(err)
	}
	if err := caller.Send("typed while held"); err != nil {
		t.Fatal(err)
	}
	// The callee would see the caller's media within a fraction of a
	// second of connecting if it were sent.
	time.Sleep(2 * time.Second)
	if got := caller.received(); len(got) != 0 {
		t.Errorf("the held caller showed %q", got)
	}
	if got := callee.received(); len(got) != 0 {
		t.Errorf("the held caller sent %q", got)
	}
	select {
	case kind := <-callee.tracks:
		t.Fatalf("the held caller sent %s", kind)
	case kind := <-caller.tracks:
		t.Fatalf("the held caller handed on the peer's %s", kind)
	default:
	}

	confirm <- true
	waitMessage(t, "the caller", caller, "said while held")
	waitMessage(t, "the callee", callee, "typed while held")
	waitTrack(t, "caller", caller, webrtc.RTPCodecTypeVideo)
	waitTrack(t, "callee", callee, webrtc.RTPCodecTypeVideo)
}

// TestVerifyRefused has the user say the numbers differ, once both sides
// have typed: the call ends with ErrNotVerified, and nothing went through
// either way.
func TestVerifyRefused(t *testing.T) {
	typed := make(chan struct{})
	caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) {
		o.Verify = func(context.Context, Verification) error {
			<-typed // the user reads the numbers while both sides type
			return ErrNotVerified
		}
	})
	callee := newPeer(t, Callee, nil, 10*time.Second)
	connect(t, caller, callee)
	waitReady(t, "callee", callee)
	_ = callee.Send("hello?")
	_ = caller.Send("hello from the held side")
	close(typed)
	if err := caller.Wait(); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("the caller ended with %v, want ErrNotVerified", err)
	}
	select {
	case <-callee.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the callee's call did not end")
	}
	if got := caller.received(); len(got) != 0 {
		t.Errorf("the refusing side showed %q", got)
	}
	if got := callee.received(); len(got) != 0 {
		t.Errorf("the refusing side sent %q", got)
	}
}

// TestVideoAddedWhileHeldWaits adds video while the call is held for the
// safety number: it reaches the peer only once the user confirms, as the
// tracks the call started with do.
func TestVideoAddedWhileHeldWaits(t *testing.T) {
	confirm := make(chan bool)
	asked := make(chan string, 1)
	caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) {
		o.Verify = func(_ context.Context, v Verification) error {
			asked <- v.SafetyNumber
			if !<-confirm {
				return ErrNotVerified
			}
			return nil
		}
	})
	callee := newPeer(t, Callee, nil, 10*time.Second)
	connect(t, caller, callee)
	select {
	case <-asked:
	case <-time.After(15 * time.Second):
		t.Fatal("the caller's user was never asked")
	}
	if err := caller.AddTrack(openMedia(t, capture.Test, capture.None).Video()); err != nil {
		t.Fatal(err)
	}
	// Negotiated and sending within a fraction of a second, were it not
	// held.
	time.Sleep(2 * time.Second)
	select {
	case kind := <-callee.tracks:
		t.Fatalf("the held caller sent the %s it added", kind)
	default:
	}
	confirm <- true
	waitTrack(t, "callee", callee, webrtc.RTPCodecTypeVideo)
}

// TestHeldChatIsBounded has the callee flood a held caller with more chat
// than the hold keeps, under a name of its choosing: the caller sees
// neither the name nor any message until its user confirms, then the name,
// the first MaxHeldMessages messages in order, and how many were dropped.
func TestHeldChatIsBounded(t *testing.T) {
	confirm := make(chan struct{})
	asked := make(chan struct{})
	var mu sync.Mutex
	var names []string
	var dropped, lost int64
	caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) {
		o.Verify = func(context.Context, Verification) error {
			close(asked)
			<-confirm
			return nil
		}
	})
	caller.OnPeerName(func(name string) {
		mu.Lock()
		names = append(names, name)
		mu.Unlock()
	})
	caller.OnChatDropped(func(messages int, bytes int64) {
		mu.Lock()
		dropped, lost = int64(messages), bytes
		mu.Unlock()
	})
	callee := newPeer(t, Callee, nil, 10*time.Second, func(o *Options) { o.Name = "mallory" })
	connect(t, caller, callee)
	<-asked
	const extra = 200
	for i := range MaxHeldMessages + extra {
		if err := callee.Send(fmt.Sprintf("flood %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Every message arrived at the held caller: each is acknowledged.
	waitWithin(t, "every message acknowledged", 30*time.Second, func() bool { return len(callee.Undelivered()) == 0 })
	mu.Lock()
	early := slices.Clone(names)
	mu.Unlock()
	if len(early) != 0 || len(caller.received()) != 0 {
		t.Fatalf("the held caller showed the name %q and %d messages", early, len(caller.received()))
	}

	close(confirm)
	waitMessage(t, "the caller", caller, fmt.Sprintf("flood %d", MaxHeldMessages-1))
	got := caller.received()
	for i, text := range got {
		if want := fmt.Sprintf("flood %d", i); text != want {
			t.Fatalf("message %d is %q, want %q", i, text, want)
		}
	}
	if len(got) != MaxHeldMessages {
		t.Errorf("the caller showed %d messages, want the first %d", len(got), MaxHeldMessages)
	}
	// The drop is told after the messages kept.
	waitWithin(t, "the drop told", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return dropped != 0
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(names, []string{"mallory"}) {
		t.Errorf("the caller was told the names %q, want mallory once", names)
	}
	var want int64
	for i := MaxHeldMessages; i < MaxHeldMessages+extra; i++ {
		want += int64(len(fmt.Sprintf("flood %d", i)))
	}
	if dropped != extra || lost != want {
		t.Errorf("told of %d messages (%d bytes) dropped, want %d (%d bytes)", dropped, lost, extra, want)
	}
}
