package call

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
)

// openMedia opens small test sources of the kinds asked for.
func openMedia(t *testing.T, video, audio string) *capture.Media {
	t.Helper()
	return testMedia(t, capture.Options{Video: video, Audio: audio, Width: 160, Height: 120})
}

func waitTrack(t *testing.T, who string, p *peer, kind webrtc.RTPCodecType) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case k := <-p.tracks:
			if k == kind {
				return
			}
		case <-deadline:
			t.Fatalf("%s never received %s", who, kind)
		}
	}
}

func TestAddVideoToAnAudioCall(t *testing.T) {
	caller := newPeer(t, Caller, openMedia(t, capture.None, capture.Test), 10*time.Second)
	callee := newPeer(t, Callee, openMedia(t, capture.None, capture.Test), 10*time.Second)
	connect(t, caller, callee)
	waitTrack(t, "callee", callee, webrtc.RTPCodecTypeAudio)

	// No code is pasted: the offer for the new track goes over the call.
	if err := caller.ReplaceTrack(webrtc.RTPCodecTypeVideo, openMedia(t, capture.Test, capture.None).Video()); err != nil {
		t.Fatal(err)
	}
	waitTrack(t, "callee", callee, webrtc.RTPCodecTypeVideo)

	if err := callee.AddTrack(openMedia(t, capture.Test, capture.None).Video()); err != nil {
		t.Fatal(err)
	}
	waitTrack(t, "caller", caller, webrtc.RTPCodecTypeVideo)
}

func TestBothAddVideoAtOnce(t *testing.T) {
	caller := newPeer(t, Caller, openMedia(t, capture.None, capture.Test), 10*time.Second)
	callee := newPeer(t, Callee, openMedia(t, capture.None, capture.Test), 10*time.Second)
	connect(t, caller, callee)
	<-caller.Ready()
	<-callee.Ready()

	// Both change at once: the callee's change waits for the caller's offer
	// and rides on its answer; nothing collides.
	callerVideo, calleeVideo := openMedia(t, capture.Test, capture.None).Video(), openMedia(t, capture.Test, capture.None).Video()
	errs := make(chan error, 2)
	go func() { errs <- caller.AddTrack(callerVideo) }()
	go func() { errs <- callee.AddTrack(calleeVideo) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	waitTrack(t, "callee", callee, webrtc.RTPCodecTypeVideo)
	waitTrack(t, "caller", caller, webrtc.RTPCodecTypeVideo)
}

func TestThePeerIsToldOfAMute(t *testing.T) {
	told := make(chan [2]bool, 1)
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	callee.OnPeerMedia(func(audio, video bool) { told <- [2]bool{audio, video} })
	connect(t, caller, callee)
	if err := caller.TellMedia(false, true); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-told:
		if got != [2]bool{false, true} {
			t.Fatalf("the callee was told audio %v, video %v; want the microphone off, the camera on", got[0], got[1])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the callee was never told")
	}
}

// TestPionRefusesLocalRollback pins why the callee never offers (see
// negotiator): pion cannot roll back an offer of its own. Once it can, the
// perfect negotiation pattern may replace the callee's request for an offer.
func TestPionRefusesLocalRollback(t *testing.T) {
	p := newPeer(t, Caller, nil, 10*time.Second)
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	err = p.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback})
	if err == nil || p.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		t.Errorf("pion rolled back a local offer (%v, now %s): the callee may offer and roll back, as the perfect negotiation pattern does",
			err, p.pc.SignalingState())
	}
}
