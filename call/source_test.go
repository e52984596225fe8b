package call

import (
	"image"
	"image/color"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/picture"
)

// TestSwitchedSourceReachesThePeer switches the caller's video from the
// test picture to a red picture mid-call: the callee decodes red, on the
// track it had, with nothing negotiated.
func TestSwitchedSourceReachesThePeer(t *testing.T) {
	path := mediatest.SolidPNG(t, t.TempDir(), "red.png", 40, 30, color.RGBA{255, 0, 0, 255})

	media := openMedia(t, capture.Test, capture.None)
	var middle atomic.Value // color.RGBA of the last decoded picture's middle
	var videoTracks atomic.Int32
	out, err := render.New(render.Options{OnVideoFrame: func(img *image.YCbCr) {
		middle.Store(rgbAt(img, img.Rect.Dx()/2, img.Rect.Dy()/2))
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	caller := newPeer(t, Caller, media, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	callee.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeVideo {
			videoTracks.Add(1)
			go out.Play(tr)
		}
	})
	connect(t, caller, callee)

	isGreen := func(c color.RGBA) bool { return c.G > 100 && c.R < 80 && c.B < 80 } // the test picture's middle bar
	isRed := func(c color.RGBA) bool { return c.R > 200 && c.G < 50 && c.B < 50 }
	waitMiddle := func(what string, want func(color.RGBA) bool) {
		t.Helper()
		waitFor(t, "the callee to decode "+what, func() bool {
			c, ok := middle.Load().(color.RGBA)
			return ok && want(c)
		})
	}
	waitMiddle("the test picture", isGreen)

	switched := time.Now()
	if _, err := media.SwitchVideo(capture.ImagePrefix + path); err != nil {
		t.Fatal(err)
	}
	waitMiddle("the red picture it was switched to", isRed)
	t.Logf("the callee decoded the new source %v after the switch", time.Since(switched).Round(time.Millisecond))
	if _, err := media.SwitchVideo(capture.Test); err != nil {
		t.Fatal(err)
	}
	waitMiddle("the test picture again", isGreen)
	if n := videoTracks.Load(); n != 1 {
		t.Errorf("the callee got %d video tracks, want the one it had", n)
	}
}

// rgbAt is the colour of img at x, y, as the view would show it.
func rgbAt(img *image.YCbCr, x, y int) color.RGBA {
	ycc := img.YCbCrAt(x, y)
	r, g, b := picture.RGB(ycc.Y, ycc.Cb, ycc.Cr)
	return color.RGBA{r, g, b, 255}
}

// TestVideoAddedToACallWithout adds video mid-call to an audio call in
// which neither side sends video, from either side: the peer's OnTrack is
// handed the new track once and decodes the test picture from it, and the
// change rode on the m-sections the call had, none of them rejected. In
// the last case the caller takes half a second to apply the callee's
// answer: no video may reach it before it has (undeclared, pion would
// take it for another track, and another again, at once, as the answer
// declared it).
func TestVideoAddedToACallWithout(t *testing.T) {
	for _, c := range []struct {
		adder     Role
		slowApply bool
	}{{Caller, false}, {Callee, false}, {Callee, true}} {
		adder := c.adder
		name := adder.String()
		if c.slowApply {
			name += ", answer applied late"
		}
		t.Run(name, func(t *testing.T) {
			var middle atomic.Value // color.RGBA of the last decoded picture's middle
			var decoded, videoTracks atomic.Int32
			var firstVideo, applied atomic.Int64 // Unix nanoseconds
			out, err := render.New(render.Options{OnVideoFrame: func(img *image.YCbCr) {
				decoded.Add(1)
				middle.Store(rgbAt(img, img.Rect.Dx()/2, img.Rect.Dy()/2))
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			showVideo := func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
				if tr.Kind() == webrtc.RTPCodecTypeVideo {
					firstVideo.CompareAndSwap(0, time.Now().UnixNano())
					videoTracks.Add(1)
					go out.Play(tr)
					return
				}
				go drain(tr)
			}
			adding := openMedia(t, capture.None, capture.Test)
			var sender, receiver *peer
			if adder == Caller {
				sender = newPeer(t, Caller, adding, 10*time.Second)
				receiver = newPeer(t, Callee, openMedia(t, capture.None, capture.Test), 10*time.Second)
				receiver.OnTrack(showVideo)
				connect(t, sender, receiver)
			} else {
				receiver = newPeer(t, Caller, openMedia(t, capture.None, capture.Test), 10*time.Second)
				receiver.OnTrack(showVideo)
				sender = newPeer(t, Callee, adding, 10*time.Second)
				connect(t, receiver, sender)
			}
			<-sender.Ready()
			<-receiver.Ready()
			before := mediaSections(t, receiver)
			if c.slowApply {
				n := receiver.negotiator
				n.mu.Lock()
				n.beforeApply = func() {
					time.Sleep(500 * time.Millisecond)
					applied.Store(time.Now().UnixNano())
				}
				n.mu.Unlock()
			}

			if _, err := adding.AddVideo(capture.Test); err != nil {
				t.Fatal(err)
			}
			added := time.Now()
			if err := sender.AddTrack(adding.Video()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the peer to decode the added video's test picture", func() bool {
				c, ok := middle.Load().(color.RGBA)
				return ok && c.G > 100 && c.R < 80 && c.B < 80 && decoded.Load() >= 5
			})
			t.Logf("the peer decoded the added video %v after it was added", time.Since(added).Round(time.Millisecond))
			if n := videoTracks.Load(); n != 1 {
				t.Errorf("the peer got %d video tracks, want 1", n)
			}
			if c.slowApply {
				waitFor(t, "the caller to apply the answer", func() bool { return applied.Load() != 0 })
				switch wait := time.Duration(firstVideo.Load() - applied.Load()); {
				case wait < 0:
					t.Errorf("video reached the caller %v before it applied the answer that declares it", -wait.Round(time.Millisecond))
				case wait >= appliedWait/2: // the fallback opens 1.5 s after the apply here
					t.Errorf("video reached the caller %v after it applied the answer: the callee did not hear it say so", wait.Round(time.Millisecond))
				}
			}
			after := mediaSections(t, receiver)
			if len(after) != len(before) {
				t.Errorf("m-sections %q before the video was added, %q after: want the video on the one there was", before, after)
			}
		})
	}
}

// mediaSections returns the m= lines of p's remote description, and fails
// if one is rejected (port 0).
func mediaSections(t *testing.T, p *peer) []string {
	t.Helper()
	desc := p.pc.RemoteDescription()
	if desc == nil {
		t.Fatal("no remote description")
	}
	var lines []string
	for _, line := range strings.Split(desc.SDP, "\r\n") {
		if !strings.HasPrefix(line, "m=") {
			continue
		}
		lines = append(lines, strings.Fields(line)[0])
		if f := strings.Fields(line); len(f) > 1 && f[1] == "0" {
			t.Errorf("the m-section %q is rejected", line)
		}
	}
	return lines
}
