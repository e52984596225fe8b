package render

import (
	"fmt"
	"image"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/wave"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// twoColours is a camera that films a picture of two colours, left half
// and right half, 30 times a second.
type twoColours struct {
	img  *image.YCbCr
	next time.Time
}

func newTwoColours(w, h int, left, right [3]uint8) *twoColours {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			c := left
			if x >= w/2 {
				c = right
			}
			img.Y[img.YOffset(x, y)] = c[0]
			ci := img.COffset(x, y)
			img.Cb[ci], img.Cr[ci] = c[1], c[2]
		}
	}
	return &twoColours{img: img}
}

func (s *twoColours) Read() (image.Image, func(), error) {
	if s.next.IsZero() {
		s.next = time.Now()
	}
	time.Sleep(time.Until(s.next)) // paces the pictures at a camera's frame rate
	s.next = s.next.Add(time.Second / 30)
	return s.img, func() {}, nil
}

// colours are the two colours of its picture as RGB.
func (s *twoColours) colours() (left, right [3]uint8) {
	b := s.img.Rect
	l := picture.Color(s.img, 0, 0)
	r := picture.Color(s.img, b.Max.X-1, 0)
	return [3]uint8{l.R, l.G, l.B}, [3]uint8{r.R, r.G, r.B}
}

// testPeer is a peer of a group call whose camera films two colours.
type testPeer struct {
	peer   Peer
	camera *twoColours
	video  *mediatest.LiveTrack
	done   chan error
}

// The Y'CbCr of the peers' colours.
var (
	red    = [3]uint8{81, 90, 240}
	green  = [3]uint8{145, 54, 34}
	blue   = [3]uint8{41, 240, 110}
	yellow = [3]uint8{210, 16, 146}
	cyan   = [3]uint8{170, 166, 16}
	white  = [3]uint8{235, 128, 128}
)

// startPeers plays the video of three peers, each filming its two colours,
// until each is closed; each starts once the last one's first picture is
// decoded, so that their tiles come in their order.
func startPeers(t *testing.T, out *Output) []*testPeer {
	t.Helper()
	var peers []*testPeer
	for i, p := range []struct {
		name        string
		left, right [3]uint8
	}{{"ann", red, green}, {"bob", blue, yellow}, {"cat", cyan, white}} {
		camera := newTwoColours(320, 240, p.left, p.right)
		video, err := mediatest.NewLiveVP8Track(camera, 320, 240, 100000)
		if err != nil {
			t.Fatal(err)
		}
		tp := &testPeer{peer: Peer{ID: fmt.Sprint("peer-", i), Name: p.name}, camera: camera, video: video, done: make(chan error, 1)}
		go func() { tp.done <- out.PlayPeer(tp.peer, video) }()
		t.Cleanup(func() { tp.end(t) })
		peers = append(peers, tp)
		waitDecoded(t, out, peers, 1)
	}
	return peers
}

// end ends the peer's video and waits until it has played.
func (p *testPeer) end(t *testing.T) {
	t.Helper()
	if p.done == nil {
		return
	}
	p.video.Close()
	if err := <-p.done; err != nil {
		t.Errorf("%s: %v", p.peer.Name, err)
	}
	p.done = nil
}

// waitDecoded waits until each peer's video has decoded n pictures.
func waitDecoded(t *testing.T, out *Output, peers []*testPeer, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		decoded := map[string]int{}
		for _, st := range out.Stats() {
			if st.Kind == webrtc.RTPCodecTypeVideo {
				decoded[st.Peer] = st.Decoded
			}
		}
		all := true
		for _, p := range peers {
			all = all && decoded[p.peer.ID] >= n
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pictures decoded, by peer: %v; want %d each", decoded, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkHalves says whether the picture r in shot shows the peer's two
// colours, left and right, away from its bottom left corner, where its
// label is.
func checkHalves(shot image.Image, r image.Rectangle, p *testPeer) error {
	left, right := p.camera.colours()
	for _, pt := range []struct {
		x, y float64
		want [3]uint8
	}{{0.25, 0.3, left}, {0.25, 0.6, left}, {0.1, 0.1, left}, {0.75, 0.3, right}, {0.75, 0.6, right}, {0.9, 0.1, right}} {
		x, y := r.Min.X+int(pt.x*float64(r.Dx())), r.Min.Y+int(pt.y*float64(r.Dy()))
		c := picture.Color(shot, x, y)
		if got := [3]uint8{c.R, c.G, c.B}; !near(got, pt.want, 30) {
			return fmt.Errorf("%s's picture %v at (%d,%d) is %v, want %v", p.peer.Name, r, x, y, got, pt.want)
		}
	}
	return nil
}

// tileRects are where the window shows n peers' 4:3 pictures, its video
// area (640x480) at win.
func tileRects(win image.Point, n int) []image.Rectangle {
	var out []image.Rectangle
	for _, cell := range picture.Grid(n, 4, 3, image.Rect(0, 0, 640, 480).Add(win)) {
		out = append(out, picture.Fit(4, 3, cell.Inset(2)))
	}
	return out
}

// TestWindowShowsThePeersInTiles plays three peers' video into the window
// under Xvfb: each peer's picture is in its tile; when a peer's track
// ends, its tile goes and the others share the window.
func TestWindowShowsThePeersInTiles(t *testing.T) {
	mediatest.CheckGoroutines(t)
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	mediatest.RequireTools(t, "Xvfb", "ffmpeg")
	display := mediatest.StartXvfb(t, 800, 600)
	t.Setenv("DISPLAY", display)
	out, err := New(Options{View: ViewWindow, Speaker: SpeakerNone})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	peers := startPeers(t, out)
	waitDecoded(t, out, peers, 10)

	var win image.Point
	shot := func(name string, check func(shot image.Image) error) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			shot, err := mediatest.Screenshot(display, 800, 600)
			if err != nil {
				t.Fatal(err)
			}
			lit := lit(shot)
			win = image.Pt(lit.Max.X-640, lit.Max.Y-500) // the status line is the window's bottom
			err = check(shot)
			if err == nil {
				if os.Getenv("PIGEON_TEST_PICTURES") != "" {
					mediatest.SavePNG(t, name, shot)
				}
				return
			}
			if time.Now().After(deadline) {
				mediatest.SavePNG(t, name, shot)
				t.Fatal(err)
			}
		}
	}
	shot("peers-3.png", func(shot image.Image) error {
		for i, r := range tileRects(win, 3) {
			if err := checkHalves(shot, r, peers[i]); err != nil {
				return err
			}
		}
		return nil
	})

	// Bob's track ends: ann and cat side by side.
	peers[1].end(t)
	shot("peers-2.png", func(shot image.Image) error {
		for i, r := range tileRects(win, 2) {
			if err := checkHalves(shot, r, []*testPeer{peers[0], peers[2]}[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if t.Failed() {
		return
	}
	// Cat's ends too: ann alone fills the window.
	peers[2].end(t)
	shot("peers-1.png", func(shot image.Image) error {
		return checkHalves(shot, picture.Fit(4, 3, image.Rect(0, 0, 640, 480).Add(win)), peers[0])
	})
}

// TestTerminalShowsThePeersInTiles plays three peers' video to the
// terminal view: each peer's picture in its tile, over its name; a peer
// whose track ends leaves the screen.
func TestTerminalShowsThePeersInTiles(t *testing.T) {
	mediatest.CheckGoroutines(t)
	var term syncBuffer
	out, err := New(Options{View: ViewTerminal, Terminal: &term, TerminalSize: func() (int, int) { return 100, 40 },
		Speaker: SpeakerNone, TerminalFPS: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	peers := startPeers(t, out)
	waitDecoded(t, out, peers, 10)
	// 35 rows of picture in a grid of two columns; each tile's last row
	// holds its name.
	check := func(shown []*testPeer) error {
		screen := mediatest.NewTerminal(100, 40)
		if err := screen.Write(term.String()); err != nil {
			return err
		}
		cells := picture.Grid(len(shown), 8, 3, image.Rect(0, 0, 100, 35))
		for i, p := range shown {
			c := cells[i]
			px := picture.Fit(4, 3, image.Rect(c.Min.X, 2*c.Min.Y, c.Max.X-1, 2*(c.Max.Y-1)))
			row := (px.Min.Y + px.Max.Y) / 4
			left, right := p.camera.colours()
			if got := screen.Top[row][px.Min.X+px.Dx()/4]; !near(got, left, 30) {
				return fmt.Errorf("%s's tile, row %d: %v on the left, want %v; the screen:\n%s", p.peer.Name, row, got, left, dumpColours(screen))
			}
			if got := screen.Top[row][px.Min.X+3*px.Dx()/4]; !near(got, right, 30) {
				return fmt.Errorf("%s's tile, row %d: %v on the right, want %v", p.peer.Name, row, got, right)
			}
			if label := string([]rune(screen.Text[c.Max.Y-1])[px.Min.X:][:3]); label != p.peer.Name {
				return fmt.Errorf("under %s's tile, row %d reads %q", p.peer.Name, c.Max.Y-1, screen.Text[c.Max.Y-1])
			}
		}
		for _, p := range peers {
			if !contains(shown, p) && strings.Contains(strings.Join(screen.Text[:35], "\n"), p.peer.Name) {
				return fmt.Errorf("%s is still on the screen", p.peer.Name)
			}
		}
		return nil
	}
	waitTrue(t, func() error { return check(peers) })
	peers[0].end(t)
	waitTrue(t, func() error { return check(peers[1:]) })

	// A name learnt later relabels the tile.
	out.NamePeer(peers[2].peer.ID, "dot")
	peers[2].peer.Name = "dot"
	waitTrue(t, func() error { return check(peers[1:]) })
}

func dumpColours(s *mediatest.Terminal) string {
	var b strings.Builder
	names := map[[3]uint8]byte{}
	for y := range s.Rows {
		for x := range s.Cols {
			c := s.Top[y][x]
			n, ok := names[c]
			if !ok {
				n = byte('A' + len(names))
				names[c] = n
			}
			b.WriteByte(n)
		}
		b.WriteString("|" + s.Text[y] + "\n")
	}
	fmt.Fprintf(&b, "%v\n", names)
	return b.String()
}

func contains(peers []*testPeer, p *testPeer) bool {
	for _, q := range peers {
		if q == p {
			return true
		}
	}
	return false
}

// waitTrue waits until check returns nil, or fails t with its last error.
func waitTrue(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pacedTone is a microphone that hears a tone of its own, in real time.
type pacedTone struct {
	tone mediatest.Tone
	next time.Time
}

func (p *pacedTone) Read() (wave.Audio, func(), error) {
	if p.next.IsZero() {
		p.next = time.Now()
	}
	time.Sleep(time.Until(p.next)) // paces the sound as a microphone records
	p.next = p.next.Add(20 * time.Millisecond)
	return p.tone.Read()
}

// level is the amplitude of pcm (48 kHz) at hz (Goertzel).
func level(pcm []int16, hz float64) float64 {
	w := 2 * math.Pi * hz / 48000
	var s1, s2 float64
	for _, v := range pcm {
		s := float64(v)/32768 + 2*math.Cos(w)*s1 - s2
		s2, s1 = s1, s
	}
	return 2 * math.Sqrt(s1*s1+s2*s2-2*math.Cos(w)*s1*s2) / float64(len(pcm))
}

// TestSpeakerMixesThePeers plays two peers' sound, a tone each, into the
// speaker (miniaudio's null device): both tones are heard together, each
// at the level it was sent, and once one peer's track ends the other's
// goes on alone.
func TestSpeakerMixesThePeers(t *testing.T) {
	mediatest.CheckGoroutines(t)
	if testing.Short() {
		t.Skip("plays two seconds of sound in real time")
	}
	var played pcmRecorder
	out, err := New(Options{Speaker: SpeakerNull, pcmTap: played.tap})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tones := map[string]float64{"ann": 440, "bob": 700}
	var wg sync.WaitGroup
	tracks := map[string]*mediatest.LiveTrack{}
	for name, hz := range tones {
		track, err := mediatest.NewLiveOpusTrack(&pacedTone{tone: mediatest.Tone{Hz: hz}}, 100000)
		if err != nil {
			t.Fatal(err)
		}
		tracks[name] = track
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := out.PlayPeer(Peer{ID: name, Name: name}, track); err != nil {
				t.Error(err)
			}
		}()
	}
	// A second of both, then ann leaves.
	waitTrue(t, func() error {
		if n := len(played.samples()); n < 48000+firstSound(played.samples()) || firstSound(played.samples()) < 0 {
			return fmt.Errorf("%d samples played", n)
		}
		return nil
	})
	both := len(played.samples())
	tracks["ann"].Close()
	waitTrue(t, func() error {
		if n := len(played.samples()) - both; n < 48000 {
			return fmt.Errorf("%d samples played since ann left", n)
		}
		return nil
	})
	tracks["bob"].Close()
	wg.Wait()

	pcm := played.samples()
	together := pcm[both-24000 : both] // half a second before ann left
	alone := pcm[both+24000 : both+48000]
	// mediatest.Tone is a quarter of full scale.
	for name, hz := range tones {
		if l := level(together, hz); l < 0.15 || l > 0.35 {
			t.Errorf("together, %s's %.0f Hz is at %.2f of full scale, want about 0.25", name, hz, l)
		}
	}
	if l := level(alone, tones["bob"]); l < 0.15 {
		t.Errorf("once ann left, bob's tone is at %.2f", l)
	}
	if l := level(alone, tones["ann"]); l > 0.02 {
		t.Errorf("ann's tone is still heard at %.2f after she left", l)
	}
	for _, st := range out.Stats() {
		if st.Played < 40 || st.Concealed > 3 {
			t.Errorf("%s: %s", st.Peer, st)
		}
	}
}
