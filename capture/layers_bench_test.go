package capture

import (
	"bytes"
	"fmt"
	"image"
	"syscall"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// BenchmarkVP8Layers is the encoding a picture costs at the size and rate
// a call sends (640x480, 1 Mbit/s) and at those a lower simulcast layer
// would add for a slow peer (320x240 at 250 kbit/s, 160x120 at 100
// kbit/s), on the natural clip: what a layer for slow paths would cost
// every picture, where the one encoder sending to all costs nothing more
// per peer.
func BenchmarkVP8Layers(b *testing.B) {
	clip := mediatest.NaturalVideo(b, "clip.y4m", 640, 480, 30, 2*time.Second)
	for _, layer := range []struct {
		w, h, bps int
	}{{640, 480, 1_000_000}, {320, 240, 250_000}, {160, 120, 100_000}} {
		b.Run(fmt.Sprintf("%dx%d", layer.w, layer.h), func(b *testing.B) {
			pictures := readPictures(b, clip, layer.w, layer.h, 60)
			i := 0
			src := video.ReaderFunc(func() (image.Image, func(), error) {
				i++
				return pictures[i%len(pictures)], func() {}, nil
			})
			params := vp8Params{BitRate: layer.bps}
			enc, err := params.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: layer.w, Height: layer.h}})
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			bytes := 0
			for b.Loop() {
				frame, _, err := enc.Read()
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(frame)
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "bytes/picture")
		})
	}
}

// readPictures reads n pictures of the video file at path, fitted to w x h.
func readPictures(b *testing.B, path string, w, h, n int) []image.Image {
	b.Helper()
	v, err := OpenFileVideo(path, w, h)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	var pictures []image.Image
	for range n {
		img, _, err := v.Read()
		if err != nil {
			b.Fatal(err)
		}
		ycc := *img.(*image.YCbCr)
		ycc.Y, ycc.Cb, ycc.Cr = bytes.Clone(ycc.Y), bytes.Clone(ycc.Cb), bytes.Clone(ycc.Cr)
		pictures = append(pictures, &ycc)
	}
	return pictures
}

// BenchmarkFanOut sends the natural clip's video, as a call opens it, to
// 1, 3 and 5 bindings at once (a call with as many peers), each writing
// to a connection that is up: the process's CPU time per picture, all
// sends included.
func BenchmarkFanOut(b *testing.B) {
	clip := mediatest.NaturalVideo(b, "clip.y4m", 640, 480, 30, 2*time.Second)
	for _, n := range []int{1, 3, 5} {
		b.Run(fmt.Sprintf("%d-peers", n), func(b *testing.B) {
			m, err := Open(Options{Video: clip, Audio: None})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			video := m.Video().(*preparedTrack)
			var bindings []*fakeBinding
			for i := range n {
				fb := newFakeBinding(fmt.Sprint("peer", i), vp8Negotiated, 0)
				defer close(fb.closed)
				if _, err := video.Bind(fb); err != nil {
					b.Fatal(err)
				}
				bindings = append(bindings, fb)
			}
			frames := func() int {
				fb := bindings[0]
				fb.mu.Lock()
				defer fb.mu.Unlock()
				return fb.frames
			}
			for frames() < 5 {
				time.Sleep(5 * time.Millisecond)
			}
			start, cpu0 := frames(), cpuTime()
			for b.Loop() {
				for want := frames() + 1; frames() < want; {
					time.Sleep(time.Millisecond)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(frames()-start), "cpu-ms/picture")
			for _, fb := range bindings {
				video.Unbind(fb)
			}
		})
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
