package scan

import (
	"context"
	"fmt"
	"image"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// Watch reads frames from r until s reads a code of its kind, r fails, or
// ctx ends, as Scan does, but decodes on a goroutine of its own: frames go
// on being read (and shown) while one is decoded, and those that come while
// the decoder is busy, or sooner than the Scanner's interval after the last
// one it took, are not decoded at all. A camera's preview stays smooth
// however long a frame takes to decode.
//
// show, if not nil, is called with every frame read, on the goroutine that
// called Watch, with the Status of the last frame decoded (whose outline
// may be a frame or two old); status, if not nil, with each new Status, on
// the decoder's goroutine. The frame is r's: show copies what it keeps.
// Watch returns once the decoder has stopped.
func Watch(ctx context.Context, r FrameReader, s *Scanner, show func(image.Image, Status), status func(Status)) (offline.Signal, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	frames := make(chan *image.Gray) // unbuffered: a send succeeds only when the decoder waits
	results := make(chan Status, 1)  // the newest Status, for show
	found := make(chan offline.Signal, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case img := <-frames:
				st := s.decode(img)
				if status != nil {
					status(st)
				}
				select {
				case <-results: // drop the older one unread
				default:
				}
				results <- st
				if st.Done {
					found <- st.Signal
					return
				}
			}
		}
	}()
	defer func() { cancel(); <-stopped }()

	var (
		last     Status
		lastSent time.Time
		grey     [2]*image.Gray // one being decoded, one being filled
		turn     int
	)
	for {
		select {
		case <-ctx.Done():
			return offline.Signal{}, ctx.Err()
		case sig := <-found:
			return sig, nil
		default:
		}
		img, release, err := r.Read()
		if err != nil {
			return offline.Signal{}, fmt.Errorf("reading the camera: %w", err)
		}
		select {
		case last = <-results:
		default:
		}
		if show != nil {
			show(img, last)
		}
		if s.interval <= 0 || time.Since(lastSent) >= s.interval {
			// The grey copy is made only when the decoder is free to take
			// it: try the hand-over with the buffer it is not using.
			g := greyInto(grey[turn], img)
			grey[turn] = g
			select {
			case frames <- g:
				lastSent, turn = time.Now(), 1-turn
			default:
			}
		}
		if release != nil {
			release()
		}
	}
}

// greyInto returns the grey levels of img, in g if it has img's size: the
// decoder's own copy, which the camera cannot change under it.
func greyInto(g *image.Gray, img image.Image) *image.Gray {
	b := img.Bounds()
	if g == nil || g.Rect != b {
		g = image.NewGray(b)
	}
	luminanceInto(g.Pix, img)
	return g
}
