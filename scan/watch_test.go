package scan

import (
	"context"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
)

// TestWatchReadsAPictureSource: a camera that films a picture file of a
// code, under each distortion a camera adds, is read within a bounded
// number of decoded frames. The file is rewritten with a fresh frame (new
// noise) every few frames, as a real camera's frames differ.
func TestWatchReadsAPictureSource(t *testing.T) {
	code := qrImage(t, compactOffer, 4)
	want, _ := offline.Decode(compactOffer)
	tests := []struct {
		name   string
		frame  func(rng *rand.Rand) image.Image
		within int // decoded frames
	}{
		{"clean", func(*rand.Rand) image.Image { return camera(code) }, 1},
		{"noise", func(rng *rand.Rand) image.Image { return noise(camera(code), 40, rng) }, 4},
		{"blur", func(*rand.Rand) image.Image { return camera(blur(code, 1)) }, 1},
		{"rotated 30°", func(*rand.Rand) image.Image { return camera(rotate(code, 30)) }, 1},
		{"perspective", func(*rand.Rand) image.Image { return camera(keystone(code, 0.4)) }, 1},
		{"dim", func(*rand.Rand) image.Image { return camera(dim(code, 90, 140)) }, 1},
		{"all at once", func(rng *rand.Rand) image.Image {
			return noise(camera(dim(keystone(rotate(code, 8), 0.25), 70, 190)), 8, rng)
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "code.png")
			rng := rand.New(rand.NewPCG(7, 8))
			writeFrame(t, path, tt.frame(rng))
			src := capture.NewImageVideo(path, 640, 480, 60)
			defer src.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s := NewScanner(offline.Offer, -1)
			shown := 0
			sig, err := Watch(ctx, src, s, func(image.Image, Status) {
				shown++
				if shown%4 == 0 {
					writeFrame(t, path, tt.frame(rng))
				}
			}, nil)
			if err != nil {
				t.Fatalf("not read after %d decoded frames: %v", s.Decoded(), err)
			}
			if sig.SDP != want.SDP {
				t.Fatal("read another signal")
			}
			if s.Decoded() > tt.within {
				t.Errorf("read after %d decoded frames, want at most %d", s.Decoded(), tt.within)
			}
		})
	}
}

func writeFrame(t *testing.T, path string, img image.Image) {
	t.Helper()
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := pngEncode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestWatchDropsFramesWhileDecoding: every frame is shown, but the decoder
// takes only those that come while it is free and its interval has passed.
func TestWatchDropsFramesWhileDecoding(t *testing.T) {
	blank := camera(image.NewGray(image.Rect(0, 0, 1, 1)))
	code := camera(qrImage(t, compactOffer, 4))
	var read atomic.Int64
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		n := read.Add(1)
		time.Sleep(time.Millisecond) // a 1000 fps camera
		if n < 300 {
			return blank, func() {}, nil
		}
		return code, func() {}, nil
	})
	const interval = 50 * time.Millisecond
	s := NewScanner(offline.Offer, interval)
	shown, statuses := 0, 0
	began := time.Now()
	sig, err := Watch(context.Background(), src, s, func(image.Image, Status) { shown++ }, func(Status) { statuses++ })
	took := time.Since(began)
	if err != nil || sig.Kind != offline.Offer {
		t.Fatalf("%v, %v", sig.Kind, err)
	}
	if int64(shown) != read.Load() {
		t.Errorf("%d frames read, %d shown: every frame goes to the preview", read.Load(), shown)
	}
	// At most one decode an interval, and some while the blank frames came.
	if d := s.Decoded(); d > int(took/interval)+1 || d < 2 {
		t.Errorf("%d of %d frames decoded in %v, want one every %v", d, shown, took, interval)
	}
	if statuses != s.Decoded() {
		t.Errorf("%d statuses for %d decoded frames", statuses, s.Decoded())
	}
}

func TestWatchStops(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 32, 32))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		if n++; n == 10 {
			cancel()
		}
		return blank, nil, nil
	})
	if _, err := Watch(ctx, src, NewScanner(offline.Offer, -1), nil, nil); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}
