package capture

import (
	"errors"
	"image"
	"io"
	"sync"
	"testing"
	"time"
)

// steppedSource makes a picture each time the test says so, every pixel the
// picture's number, drawn in one buffer it reuses as a camera driver may.
type steppedSource struct {
	step   chan struct{}
	buf    *image.YCbCr
	n      uint8
	closed chan struct{}
	once   sync.Once
}

func newSteppedSource() *steppedSource {
	return &steppedSource{
		step:   make(chan struct{}),
		buf:    image.NewYCbCr(image.Rect(0, 0, 4, 4), image.YCbCrSubsampleRatio420),
		closed: make(chan struct{}),
	}
}

func (s *steppedSource) Read() (image.Image, func(), error) {
	select {
	case <-s.step:
	case <-s.closed:
		return nil, func() {}, io.EOF
	}
	s.n++
	for i := range s.buf.Y {
		s.buf.Y[i] = s.n
	}
	return s.buf, func() {}, nil
}

func (s *steppedSource) ID() string { return "stepped" }

func (s *steppedSource) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

func number(t *testing.T, img image.Image) uint8 {
	t.Helper()
	ycc := img.(*image.YCbCr)
	for _, v := range ycc.Y {
		if v != ycc.Y[0] {
			t.Fatalf("a torn picture: %v", ycc.Y)
		}
	}
	return ycc.Y[0]
}

func TestSplitHandsTheTrackTheNewestAndThePreviewEach(t *testing.T) {
	src := newSteppedSource()
	s := newSplit(src)
	defer s.Close()
	previewed := make(chan uint8, 16)
	s.setPreview(func(img image.Image) { previewed <- number(t, img) })

	// Three pictures while the track reads none: the preview sees each,
	// the track only the newest.
	for want := uint8(1); want <= 3; want++ {
		src.step <- struct{}{}
		if got := <-previewed; got != want {
			t.Fatalf("preview got picture %d, want %d", got, want)
		}
	}
	img, _, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := number(t, img); got != 3 {
		t.Errorf("the track read picture %d, want the newest, 3", got)
	}

	// The picture the track holds stays whole while the source draws the
	// next ones in its one buffer, until the track reads again.
	for range 2 {
		src.step <- struct{}{}
		<-previewed
	}
	if got := number(t, img); got != 3 {
		t.Errorf("the picture the track holds changed to %d before its next read", got)
	}
	next, _, _ := s.Read()
	if got := number(t, next); got != 5 {
		t.Errorf("the track read picture %d, want 5", got)
	}

	// With no preview, the track still gets every picture it waits for.
	s.setPreview(nil)
	read := make(chan uint8)
	go func() {
		img, _, _ := s.Read()
		read <- number(t, img)
	}()
	src.step <- struct{}{}
	select {
	case got := <-read:
		if got != 6 {
			t.Errorf("the track read picture %d, want 6", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting track never got the next picture")
	}
	select {
	case n := <-previewed:
		t.Errorf("picture %d previewed after Preview(nil)", n)
	default:
	}
}

func TestSplitEndsWithItsSource(t *testing.T) {
	src := newSteppedSource()
	s := newSplit(src)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := s.Read(); !errors.Is(err, io.EOF) {
			t.Fatalf("Read after Close: %v, want io.EOF", err)
		}
	}
}

// TestMediaPreviewShowsTheTestSource opens the test source as pigeon does
// and watches its pictures arrive at the preview while nothing sends them.
func TestMediaPreviewShowsTheTestSource(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120, FrameRate: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := make(chan image.Rectangle, 64)
	m.Preview(func(img image.Image) {
		select {
		case got <- img.Bounds():
		default:
		}
	})
	for range 5 {
		select {
		case r := <-got:
			if r.Dx() != 160 || r.Dy() != 120 {
				t.Fatalf("a preview picture of %v, want 160x120", r)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the preview got no picture in 5 s")
		}
	}
}

// The split copies each picture into buffers of its own; however far the
// track falls behind the source, two do: the one the track holds, and the
// newest it has not taken, drawn over by each picture that comes first.
func TestSplitKeepsTwoCopies(t *testing.T) {
	src := newSteppedSource()
	s := newSplit(src)
	defer s.Close()
	previewed := make(chan uint8, 16)
	s.setPreview(func(img image.Image) { previewed <- number(t, img) })

	buffers := map[*uint8]bool{}
	want := uint8(0)
	for round := range 12 {
		// Between two reads, from none to three pictures the track misses.
		for range 1 + round%4 {
			src.step <- struct{}{}
			want++
			<-previewed
		}
		img, _, err := s.Read()
		if err != nil {
			t.Fatal(err)
		}
		if got := number(t, img); got != want {
			t.Fatalf("round %d: the track read picture %d, want the newest, %d", round, got, want)
		}
		buffers[&img.(*image.YCbCr).Y[0]] = true
	}
	if len(buffers) > 2 {
		t.Errorf("the track was handed %d buffers, want 2 at most", len(buffers))
	}
}

// TestSplitDrawsTheTestPictureInItsCopies: the split has the test source
// draw each picture into the copy it hands the track, so the source makes
// no picture of its own and the split keeps two, however many are read;
// each is a new picture, stamped with the time it was drawn.
func TestSplitDrawsTheTestPictureInItsCopies(t *testing.T) {
	src := NewTestVideo(160, 120, 200)
	s := newSplit(src)
	defer s.Close()
	seen := map[*image.YCbCr]bool{}
	var last time.Time
	for i := range 20 {
		img, release, err := s.Read()
		if err != nil {
			t.Fatal(err)
		}
		ycc := img.(*image.YCbCr)
		seen[ycc] = true
		stamp, ok := ReadStamp(ycc, time.Now())
		if !ok || !stamp.After(last) {
			t.Fatalf("picture %d: stamp %v (read: %v), after %v", i, stamp, ok, last)
		}
		last = stamp
		release()
	}
	if src.frame != nil {
		t.Error("the test source made a picture of its own")
	}
	if len(seen) > 2 {
		t.Errorf("the split handed out %d copies, want at most two", len(seen))
	}
}
