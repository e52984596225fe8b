package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // --scan-image reads JPEG
	_ "image/png"  // and PNG
	"io"
	"os"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// DefaultInterval is the least time between two frames a Scanner decodes:
// decoding takes tens of milliseconds, so five a second keep a camera's
// preview smooth on a small machine and still read a code held up at once.
const DefaultInterval = 200 * time.Millisecond

// Status is what a Scanner made of one frame.
type Status struct {
	// Done is set once a signal of the wanted kind has been read.
	Done   bool
	Signal offline.Signal

	// Skipped is set for a frame that came too soon after the last one
	// decoded, and was not looked at.
	Skipped bool

	// Symbol is the QR code read in the frame, if any.
	Symbol *Symbol

	// Seen holds, for a code seen but not read, the centres of the finder
	// patterns it was seen by: where a preview marks it.
	Seen []image.Point

	// Hint, if not empty, tells the person holding the code what to change:
	// a code is seen but unreadable, is not a pigeon code, or is of the
	// wrong kind.
	Hint string

	// Have and Count are the parts of a multi-part code read so far, and
	// how many it has; 0 for a code in one part.
	Have, Count int
}

// Scanner reads a pigeon code of one kind from video frames. It is not safe
// for use by several goroutines at once.
type Scanner struct {
	want     offline.Kind
	interval time.Duration
	now      func() time.Time

	last    time.Time
	decoded int
	parts   Assembler
}

// NewScanner returns a Scanner for a code of the wanted kind that decodes at
// most one frame every interval (DefaultInterval if 0; a negative interval
// decodes every frame).
func NewScanner(want offline.Kind, interval time.Duration) *Scanner {
	if interval == 0 {
		interval = DefaultInterval
	}
	return &Scanner{want: want, interval: interval, now: time.Now}
}

// Decoded returns how many frames the Scanner has decoded (not counting
// those it skipped).
func (s *Scanner) Decoded() int { return s.decoded }

// Frame takes one frame and says what it found. Frames that come sooner
// than the interval after the last decoded one are skipped.
func (s *Scanner) Frame(img image.Image) Status {
	if s.interval > 0 {
		now := s.now()
		if !s.last.IsZero() && now.Sub(s.last) < s.interval {
			return Status{Skipped: true}
		}
		s.last = now
	}
	return s.decode(img)
}

// decode reads one frame, whatever the time.
func (s *Scanner) decode(img image.Image) Status {
	s.decoded++
	sym, err := Decode(img)
	if err != nil {
		st := s.progress(Status{})
		var u *UnreadableError
		if errors.As(err, &u) {
			st.Hint, st.Seen = u.Hint.String(), u.Outline
		}
		return st
	}
	st := Status{Symbol: &sym}
	whole, complete := s.parts.Add(sym.Text)
	if !complete {
		return s.progress(st)
	}
	sig, err := offline.Decode(whole)
	switch {
	case err != nil:
		st.Hint = "this QR code is not a pigeon code, or not all of it: show the code pigeon printed"
	case sig.Kind != s.want:
		st.Hint = wrongKindHint(s.want, sig.Kind)
	default:
		st.Done, st.Signal = true, sig
	}
	return st
}

func (s *Scanner) progress(st Status) Status {
	st.Have, st.Count = s.parts.Progress()
	return st
}

// FrameReader gives video frames; a mediadevices video.Reader is one.
// release, if not nil, is called once the frame has been looked at.
type FrameReader interface {
	Read() (img image.Image, release func(), err error)
}

// Scan reads frames from r into s until it reads a code of the wanted kind,
// r fails, or ctx ends. status, if not nil, is called with what each frame
// that was decoded showed, for a preview or a hint on the screen.
func Scan(ctx context.Context, r FrameReader, s *Scanner, status func(image.Image, Status)) (offline.Signal, error) {
	for {
		if err := ctx.Err(); err != nil {
			return offline.Signal{}, err
		}
		img, release, err := r.Read()
		if err != nil {
			return offline.Signal{}, fmt.Errorf("reading the camera: %w", err)
		}
		st := s.Frame(img)
		if status != nil && !st.Skipped {
			status(img, st)
		}
		if release != nil {
			release()
		}
		if st.Done {
			return st.Signal, nil
		}
	}
}

// ScanImage reads a pigeon code of the wanted kind from a picture: one QR
// code, or every part of a multi-part code side by side. It returns
// ErrNoCode, an *UnreadableError, ErrIncomplete, or an error of package
// offline for a code that is not a pigeon code, or of the wrong kind.
func ScanImage(img image.Image, want offline.Kind) (offline.Signal, error) {
	symbols, err := DecodeAll(img)
	if err != nil {
		return offline.Signal{}, err
	}
	var parts Assembler
	for _, sym := range symbols {
		whole, done := parts.Add(sym.Text)
		if !done {
			continue
		}
		sig, err := offline.Decode(whole)
		if err != nil {
			return offline.Signal{}, err
		}
		if sig.Kind != want {
			return offline.Signal{}, &offline.WrongKindError{Want: want, Got: sig.Kind}
		}
		return sig, nil
	}
	return offline.Signal{}, ErrIncomplete
}

// MaxPixels bounds the size of a picture ReadImage decodes: a photo of 40
// megapixels, and no picture whose header claims more than memory holds.
const MaxPixels = 40_000_000

// ReadImage decodes a PNG or JPEG picture of at most MaxPixels pixels.
func ReadImage(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the picture: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading the picture (PNG or JPEG): %w", err)
	}
	if cfg.Width*cfg.Height > MaxPixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: a picture of %d×%d pixels: take one of at most %d megapixels", ErrTooLarge, cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading the picture (PNG or JPEG): %w", err)
	}
	return img, nil
}

// ScanFile reads a pigeon code of the wanted kind from a PNG or JPEG file,
// as ScanImage does.
func ScanFile(path string, want offline.Kind) (offline.Signal, error) {
	f, err := os.Open(path)
	if err != nil {
		return offline.Signal{}, err
	}
	defer f.Close()
	img, err := ReadImage(f)
	if err != nil {
		return offline.Signal{}, err
	}
	return ScanImage(img, want)
}

// wrongKindHint tells the person holding a code of the wrong kind which one
// to show: offline.WrongKindError's message speaks of a paste.
func wrongKindHint(want, got offline.Kind) string {
	command := "pigeon call"
	if want == offline.Answer {
		command = "pigeon answer"
	}
	// Both kinds' names begin with a vowel.
	return fmt.Sprintf("this QR code holds an %s, not an %s: show the one the peer's `%s` shows", got, want, command)
}
