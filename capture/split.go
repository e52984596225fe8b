package capture

import (
	"image"
	"sync"
	"sync/atomic"

	"github.com/pion/mediadevices"
)

// split is a video source that reads the source under it on a goroutine of
// its own, at the pace the source makes pictures, and hands each picture
// to two readers: the track (its encoder), which gets the newest picture it
// has not had yet, and a preview, such as the self-view. The source under
// it can be swapped for another (swap) while the track runs: the track, its
// encoder and its RTP sender stay as they are, and only the pictures change.
//
// A second reader of the track itself would cost the call its latency:
// mediadevices' broadcaster has a reader that finds another one waiting for
// the source poll for the picture every 33 ms, so the encoder would get
// pictures up to a frame late whenever the self-view asked first.
type split struct {
	id     string // the first source's, kept: the track is known by it
	srcMu  sync.Mutex
	src    mediadevices.VideoSource // read by run; swap changes it
	closed bool

	preview atomic.Pointer[func(image.Image)]

	next  chan *image.YCbCr // capacity 1: the newest copy the track has not taken
	ended chan struct{}     // closed when the source has ended; err says why
	err   error

	mu    sync.Mutex
	free  []*image.YCbCr // copies nobody holds
	taken *image.YCbCr   // the copy the track's reader holds until it reads again
	other chan image.Image
}

func newSplit(src mediadevices.VideoSource) *split {
	s := &split{
		id:    src.ID(),
		src:   src,
		next:  make(chan *image.YCbCr, 1),
		other: make(chan image.Image, 1),
		ended: make(chan struct{}),
	}
	go s.run()
	return s
}

// A drawer is a video source that can draw its next picture into a
// picture of the reader's (TestVideo): the split then has it draw into the
// copy it hands on, and neither keeps a picture the other could share nor
// copies one.
type drawer interface {
	// WaitNext waits until the next picture is due.
	WaitNext() error
	// DrawInto draws the picture due into f, or into a new picture if f
	// is nil or not of the source's size, and returns the picture drawn.
	DrawInto(f *image.YCbCr) *image.YCbCr
}

func (s *split) run() {
	defer close(s.ended)
	for {
		src := s.source()
		img, release, drawn, err := s.read(src)
		if s.source() != src {
			// Swapped while it was read: the old source was closed, and
			// whatever it returned is no longer wanted.
			if err == nil {
				release()
			}
			continue
		}
		if err != nil {
			s.err = err
			return
		}
		switch ycc, ok := img.(*image.YCbCr); {
		case drawn:
			s.next <- ycc // run is the only sender, and spare emptied next
		case ok:
			s.next <- s.copy(ycc)
		default:
			// Not a picture this package copies: the track gets it as the
			// source made it, newest first.
			select {
			case <-s.other:
			default:
			}
			s.other <- img
		}
		if fn := s.preview.Load(); fn != nil {
			(*fn)(img)
		}
		if !drawn {
			release()
		}
	}
}

// read reads src's next picture; a drawer's is drawn into a spare copy,
// which release gives back. The spare is taken once the picture is due:
// until then, the track may still take the picture it has not had.
func (s *split) read(src mediadevices.VideoSource) (img image.Image, release func(), drawn bool, err error) {
	d, ok := src.(drawer)
	if !ok {
		img, release, err = src.Read()
		return img, release, false, err
	}
	if err := d.WaitNext(); err != nil {
		return nil, nil, true, err
	}
	c := d.DrawInto(s.spare())
	return c, func() { s.recycle(c) }, true, nil
}

// spare returns a copy nobody holds, or nil, and leaves next empty. A
// picture the track has not taken is drawn over: with the one the track
// holds, two copies do, however far behind the encoder falls.
func (s *split) spare() *image.YCbCr {
	select {
	case c := <-s.next:
		return c
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		c := s.free[n-1]
		s.free = s.free[:n-1]
		return c
	}
	return nil
}

// recycle gives back a copy that was not handed on.
func (s *split) recycle(c *image.YCbCr) {
	s.mu.Lock()
	s.free = append(s.free, c)
	s.mu.Unlock()
}

// copy returns a copy of img in a spare copy, or in a new one if the spare
// is not of img's shape (a size the source no longer makes).
func (s *split) copy(img *image.YCbCr) *image.YCbCr {
	c := s.spare()
	if c == nil || !sameShape(c, img) {
		c = &image.YCbCr{
			Y: make([]uint8, len(img.Y)), Cb: make([]uint8, len(img.Cb)), Cr: make([]uint8, len(img.Cr)),
			YStride: img.YStride, CStride: img.CStride, SubsampleRatio: img.SubsampleRatio, Rect: img.Rect,
		}
	}
	copy(c.Y, img.Y)
	copy(c.Cb, img.Cb)
	copy(c.Cr, img.Cr)
	return c
}

func sameShape(a, b *image.YCbCr) bool {
	return a.Rect == b.Rect && a.SubsampleRatio == b.SubsampleRatio && a.YStride == b.YStride &&
		a.CStride == b.CStride && len(a.Y) == len(b.Y) && len(a.Cb) == len(b.Cb) && len(a.Cr) == len(b.Cr)
}

// Read returns the newest picture the track has not had, waiting for one
// if need be. The picture stays as it is until the next Read: mediadevices'
// encoder is done with a picture when it asks for the next.
func (s *split) Read() (image.Image, func(), error) {
	// Done with the last picture now, not once the next is in: a copy
	// that the track holds no longer, but has not given back yet, would
	// make the split draw the next into a third.
	s.mu.Lock()
	if s.taken != nil {
		s.free = append(s.free, s.taken)
		s.taken = nil
	}
	s.mu.Unlock()
	var img image.Image
	select {
	case c := <-s.next:
		s.mu.Lock()
		s.taken = c
		s.mu.Unlock()
		img = c
	case img = <-s.other:
	case <-s.ended:
		return nil, func() {}, s.err
	}
	return img, func() {}, nil
}

// source returns the source being read.
func (s *split) source() mediadevices.VideoSource {
	s.srcMu.Lock()
	defer s.srcMu.Unlock()
	return s.src
}

// swap makes src the source read from now on, and closes the one it
// replaces: a camera is released. After Close, src is closed instead.
func (s *split) swap(src mediadevices.VideoSource) error {
	s.srcMu.Lock()
	if s.closed {
		s.srcMu.Unlock()
		src.Close()
		return errSplitClosed
	}
	old := s.src
	s.src = src
	s.srcMu.Unlock()
	// Closing ends a Read under way, and run goes on with src.
	return old.Close()
}

// ID is the first source's, whatever the split reads now: the track and
// the call know it by that.
func (s *split) ID() string { return s.id }

// Close ends the source, and with it the goroutine that reads it.
func (s *split) Close() error {
	s.srcMu.Lock()
	s.closed = true
	src := s.src
	s.srcMu.Unlock()
	return src.Close()
}

// setPreview makes fn the preview, or stops the preview if fn is nil.
func (s *split) setPreview(fn func(image.Image)) {
	if fn == nil {
		s.preview.Store(nil)
		return
	}
	s.preview.Store(&fn)
}
