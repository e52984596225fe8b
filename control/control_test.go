package control

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/calltest"
)

// saidLines collects what the controller says.
type saidLines struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced at each line
}

func (s *saidLines) say(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprintf(format, args...))
	if s.changed != nil {
		close(s.changed)
	}
	s.changed = make(chan struct{})
}

// waitFor waits until a line that holds want has been said.
func (s *saidLines) waitFor(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		s.mu.Lock()
		found := slices.ContainsFunc(s.lines, func(l string) bool { return strings.Contains(l, want) })
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		changed := s.changed
		s.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("nothing said holds %q; said %q", want, s.take())
		}
	}
}

// take returns what was said since the last take.
func (s *saidLines) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.lines
	s.lines = nil
	return lines
}

func TestMain(m *testing.M) { calltest.VerifyNoLeaks(m) }

// newSession makes a session of role on loopback, closed when t ends.
func newSession(t *testing.T, role call.Role) *call.Session {
	t.Helper()
	s, err := call.New(call.Options{Role: role, Interfaces: []string{"lo"}, Timeout: 10 * time.Second, PasteWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testControls makes the controller of a session of role, not yet
// connected, that sends what opts open.
func testControls(t *testing.T, role call.Role, opts capture.Options) (*Controller, *capture.Media, *saidLines) {
	t.Helper()
	opts.Audio, opts.Width, opts.Height = capture.None, 160, 120
	opts.Camera = "no-such-camera" // a camera that cannot open, on any machine
	media, err := capture.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { media.Close() })
	said := &saidLines{}
	c := New(Options{Session: newSession(t, role), Media: media, Say: said.say})
	t.Cleanup(c.Close)
	return c, media, said
}

func writeGreyPNG(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "grey.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return path
}

// oneLine checks that exactly one line was said, and that it holds each of
// want.
func oneLine(t *testing.T, what string, lines []string, want ...string) {
	t.Helper()
	if len(lines) != 1 {
		t.Fatalf("%s said %q, want one line", what, lines)
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("%s said %q, want it to hold %q", what, lines[0], w)
		}
	}
}

func TestSourceCommand(t *testing.T) {
	t.Setenv("DISPLAY", "") // no screen, whatever the machine has
	ctl, media, said := testControls(t, call.Caller, capture.Options{Video: capture.Test})
	picture := capture.ImagePrefix + writeGreyPNG(t)

	if !ctl.Command("/source " + picture) {
		t.Fatal("/source was not taken for a command")
	}
	oneLine(t, "/source "+picture, said.take(), "sending the picture")
	if media.VideoName() != picture {
		t.Fatalf("the video is %q after /source %s", media.VideoName(), picture)
	}

	for _, c := range []struct {
		line string
		want []string
	}{
		{"/source bogus", []string{`/source "bogus": no source or file has that name; use camera|test|screen|image:FILE|FILE;`, "still sending the picture"}},
		{"/source none", []string{"/video off stops sending the video"}},
		{"/source image:/no/such.png", []string{"cannot switch the video to image:/no/such.png", "no such file", "still sending the picture"}},
		{"/source camera", []string{"cannot switch the video to camera", "no-such-camera", "still sending the picture"}},
		{"/source screen", []string{"cannot switch the video to screen", "DISPLAY is not set", "still sending the picture"}},
		{"/source", []string{"sending the picture", "/source camera|test|screen|image:FILE"}},
		{"/source " + picture, []string{"already sending the picture"}},
	} {
		if !ctl.Command(c.line) {
			t.Fatalf("%s was not taken for a command", c.line)
		}
		oneLine(t, c.line, said.take(), c.want...)
		if media.VideoName() != picture {
			t.Fatalf("after %s the video is %q, want the picture still", c.line, media.VideoName())
		}
	}

	ctl.Command("/help")
	oneLine(t, "/help", said.take(), "/source camera|test|screen|image:FILE", "s (the next video source)")
}

func TestSourceKeyCyclesToTheNextThatOpens(t *testing.T) {
	t.Setenv("DISPLAY", "")
	picture := capture.ImagePrefix + writeGreyPNG(t)
	ctl, media, said := testControls(t, call.Caller, capture.Options{Video: picture})

	// The camera and the screen cannot open here: s goes from the picture
	// to the test pattern, and back to the picture the call started with.
	ctl.Key('s')
	oneLine(t, "s", said.take(), "sending test pattern")
	if media.VideoName() != capture.Test {
		t.Fatalf("s switched to %q, want test", media.VideoName())
	}
	ctl.Key('s')
	oneLine(t, "s again", said.take(), "sending the picture")
	if media.VideoName() != picture {
		t.Fatalf("s switched to %q, want the picture the call started with", media.VideoName())
	}
}

func TestSourceWithoutVideo(t *testing.T) {
	ctl, media, said := testControls(t, call.Caller, capture.Options{Video: capture.None})
	ctl.Command("/source")
	oneLine(t, "/source", said.take(), "sends no video yet", "/video on adds the camera")
	// With no call up, nothing is opened.
	ctl.Command("/source test")
	oneLine(t, "/source test", said.take(), "the call is not up yet")
	ctl.Command("/video on")
	oneLine(t, "/video on", said.take(), "the call is not up yet")
	if media.Video() != nil {
		t.Fatal("a video was opened with no call to send it")
	}
}

// TestVideoOnAddsVideoToACallWithout turns the video on, with /video on,
// /source test and the window's v, in a call that started without it, on
// either side: the camera cannot open, so the test pattern is sent
// instead, and said so; the peer is handed a video track that brings
// packets, and is told the camera is on.
func TestVideoOnAddsVideoToACallWithout(t *testing.T) {
	for _, c := range []struct {
		name string
		role call.Role
		add  func(*Controller)
		want [][]string // the lines said, each holding all of its strings
	}{
		{"/video on by the caller", call.Caller, func(c *Controller) { c.Command("/video on") }, [][]string{
			{"cannot open the camera", "no-such-camera", "sending test pattern 160x120", "instead", "/source camera|test|screen|image:FILE|FILE picks another"},
			{"video on: sending test pattern 160x120", "added to the call"},
		}},
		{"/source test by the callee", call.Callee, func(c *Controller) { c.Command("/source test") }, [][]string{
			{"video on: sending test pattern 160x120", "added to the call"},
		}},
		{"v by the callee", call.Callee, func(c *Controller) { c.Key('v') }, [][]string{
			{"cannot open the camera", "sending test pattern 160x120 at 30 fps instead"},
			{"video on: sending test pattern", "added to the call"},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctl, media, said := testControls(t, c.role, capture.Options{Video: capture.None})
			peerVideo := make(chan struct{}, 1)
			peerTold := make(chan bool, 4)
			peerOpts := call.Options{Interfaces: []string{"lo"}, Timeout: 10 * time.Second, PasteWait: 10 * time.Second}
			peerOpts.Role = call.Caller
			if c.role == call.Caller {
				peerOpts.Role = call.Callee
			}
			peer, err := call.New(peerOpts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { peer.Close() })
			peer.OnPeerMedia(func(_, videoOn bool) { peerTold <- videoOn })
			peer.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
				go func() {
					buf := make([]byte, 1500)
					for {
						if _, _, err := tr.Read(buf); err != nil {
							return
						}
						if tr.Kind() == webrtc.RTPCodecTypeVideo {
							select {
							case peerVideo <- struct{}{}:
							default:
							}
						}
					}
				}()
			})
			self := ctl.session
			caller, callee := self, peer
			if c.role == call.Callee {
				caller, callee = peer, self
			}
			calltest.Connect(t, caller, callee)
			// What the controller says of the call coming up comes first.
			said.waitFor(t, "safety number")
			said.take()

			c.add(ctl)
			lines := said.take()
			if len(lines) != len(c.want) {
				t.Fatalf("said %q, want %d lines", lines, len(c.want))
			}
			for i, want := range c.want {
				for _, w := range want {
					if !strings.Contains(lines[i], w) {
						t.Errorf("said %q, want it to hold %q", lines[i], w)
					}
				}
			}
			if media.Video() == nil || media.VideoName() != capture.Test {
				t.Fatalf("the media sends video %v named %q, want the test pattern", media.Video(), media.VideoName())
			}
			select {
			case <-peerVideo:
			case <-time.After(10 * time.Second):
				t.Fatal("the peer never received the added video")
			}
			select {
			case on := <-peerTold:
				if !on {
					t.Error("the peer was told the camera is off")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the peer was never told the camera is on")
			}

			// From now on the video is the one the call has.
			ctl.Command("/video off")
			oneLine(t, "/video off", said.take(), "video off")
			ctl.Command("/video on")
			oneLine(t, "/video on", said.take(), "video on")
			ctl.Command("/source")
			oneLine(t, "/source", said.take(), "sending test pattern")
		})
	}
}

// TestRestartCommands checks which chat lines are taken for /restart and
// restart codes, and not sent to the peer: /restart alone, /restart CODE,
// and a restart code pasted alone, quoted or not.
func TestRestartCommands(t *testing.T) {
	said := make(chan string, 16)
	c := New(Options{
		Session: newSession(t, call.Caller),
		Say:     func(format string, args ...any) { said <- fmt.Sprintf(format, args...) },
		Show:    func(line string) { t.Errorf("printed %q with no call", line) },
	})
	t.Cleanup(c.Close)
	for _, tt := range []struct {
		line  string
		taken bool
	}{
		{"/restart", true},
		{"/restart pg3r.AAAA", true},
		{"  pg3r.AKiHESAfwAAAd9HefqdVA ", true},
		{"> `pg3r.AKiHESAfwAAAd9HefqdVA`", true},
		{"/help", true},
		{"my code is pg3r.AAAA", false},
		{"pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodT-cGn5bINhGgH8AAAGo0zheNI4", false},
	} {
		if got := c.Command(tt.line); got != tt.taken {
			t.Errorf("Command(%q) = %v, want %v", tt.line, got, tt.taken)
			continue
		}
		if !tt.taken {
			continue
		}
		want := "the call is not up yet"
		if tt.line == "/help" {
			want = "/restart"
		}
		select {
		case msg := <-said:
			if !strings.Contains(msg, want) {
				t.Errorf("%q: said %q, want it to say %q", tt.line, msg, want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: nothing said", tt.line)
		}
	}
}

func TestBitRate(t *testing.T) {
	for bps, want := range map[float64]string{0: "0 kbit/s", 950e3: "950 kbit/s", 1.25e6: "1.2 Mbit/s", 31.6e3: "32 kbit/s"} {
		if got := BitRate(bps); got != want {
			t.Errorf("BitRate(%g) = %q, want %q", bps, got, want)
		}
	}
}
