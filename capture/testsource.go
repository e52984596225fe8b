package capture

import (
	"image"
	"io"
	"math"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/wave"
)

// TestToneHz is the pitch of the test audio source.
const TestToneHz = 480

// testBars are the seven colour bars of the test picture, as Y, Cb, Cr.
var testBars = [7][3]uint8{
	{180, 128, 128}, // white (75%)
	{162, 44, 142},  // yellow
	{131, 156, 44},  // cyan
	{112, 72, 58},   // green
	{84, 184, 198},  // magenta
	{65, 100, 212},  // red
	{35, 212, 114},  // blue
}

// TestVideo is a synthetic camera: colour bars with a white stripe that moves
// one step each frame, so the picture changes the way a real one does and a
// frozen stream is easy to see, and along the top the time each picture was
// made (see ReadStamp). Each TestVideo is independent, so several can
// run in one process.
type TestVideo struct {
	width, height int
	bars          [3][]uint8   // one row of each plane: the bars are upright
	frame         *image.YCbCr // drawn anew by each Read; made by the first
	n             int
	ticker        *time.Ticker
	done          chan struct{}
	closeOnce     sync.Once
}

// NewTestVideo returns a test picture of the given size and frame rate.
func NewTestVideo(width, height int, frameRate float64) *TestVideo {
	v := &TestVideo{
		width:  width,
		height: height,
		ticker: time.NewTicker(time.Duration(float64(time.Second) / frameRate)),
		done:   make(chan struct{}),
	}
	// One row of each plane, copied down by each picture: a second
	// picture to copy from would cost a frame's memory.
	cw := (width + 1) / 2
	v.bars = [3][]uint8{make([]uint8, width), make([]uint8, cw), make([]uint8, cw)}
	for x := 0; x < width; x++ {
		c := testBars[x*len(testBars)/width]
		v.bars[0][x] = c[0]
		v.bars[1][x/2], v.bars[2][x/2] = c[1], c[2]
	}
	return v
}

// ID identifies the source to mediadevices.
func (v *TestVideo) ID() string { return "pigeon-test-video" }

// Read waits for the next frame time and returns the next frame, which
// stays as it is until the next Read: a reader that keeps frames copies them.
func (v *TestVideo) Read() (image.Image, func(), error) {
	if err := v.WaitNext(); err != nil {
		return nil, func() {}, err
	}
	v.frame = v.DrawInto(v.frame)
	return v.frame, func() {}, nil
}

// WaitNext waits for the next frame time, or returns io.EOF once the source
// is closed.
func (v *TestVideo) WaitNext() error {
	select {
	case <-v.done:
		return io.EOF
	case <-v.ticker.C:
		return nil
	}
}

// DrawInto draws the next frame into f, or into a new picture if f is nil
// or not of the source's size, and returns the picture drawn: what Read
// does, in the caller's picture, once WaitNext has returned.
func (v *TestVideo) DrawInto(f *image.YCbCr) *image.YCbCr {
	if f == nil || f.Rect != image.Rect(0, 0, v.width, v.height) || f.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		f = image.NewYCbCr(image.Rect(0, 0, v.width, v.height), image.YCbCrSubsampleRatio420)
	}
	v.draw(f)
	return f
}

// draw draws the next frame into f, a 4:2:0 picture of the source's size.
func (v *TestVideo) draw(f *image.YCbCr) {
	for y := 0; y < v.height; y++ {
		copy(f.Y[y*f.YStride:][:v.width], v.bars[0])
	}
	for y := 0; y < (v.height+1)/2; y++ {
		copy(f.Cb[y*f.CStride:][:f.CStride], v.bars[1])
		copy(f.Cr[y*f.CStride:][:f.CStride], v.bars[2])
	}

	// The stripe is 1/16 of the width and crosses the picture in two seconds
	// at 30 fps.
	stripe := max(v.width/16, 2)
	x0 := (v.n * v.width / 60) % v.width
	for y := 0; y < v.height; y++ {
		for x := x0; x < min(x0+stripe, v.width); x++ {
			f.Y[f.YOffset(x, y)] = 235
			ci := f.COffset(x, y)
			f.Cb[ci], f.Cr[ci] = 128, 128
		}
	}
	drawStamp(f, time.Now())
	v.n++
}

// Close ends the source: the next Read returns io.EOF.
func (v *TestVideo) Close() error {
	v.closeOnce.Do(func() {
		close(v.done)
		v.ticker.Stop()
	})
	return nil
}

// TestAudio is a synthetic microphone: a 480 Hz tone at a quarter of full
// scale, 48 kHz mono, in 20 ms chunks paced in real time.
type TestAudio struct {
	next      time.Time
	phase     float64
	done      chan struct{}
	closeOnce sync.Once
}

const (
	testAudioRate  = 48000
	testAudioChunk = 20 * time.Millisecond
)

// NewTestAudio returns a test tone.
func NewTestAudio() *TestAudio {
	return &TestAudio{done: make(chan struct{})}
}

// ID identifies the source to mediadevices.
func (a *TestAudio) ID() string { return "pigeon-test-audio" }

// Read waits for the next chunk's time and returns it.
func (a *TestAudio) Read() (wave.Audio, func(), error) {
	now := time.Now()
	if a.next.IsZero() || now.Sub(a.next) > time.Second {
		a.next = now // start, or catch up after a stall rather than burst
	}
	timer := time.NewTimer(a.next.Sub(now))
	defer timer.Stop()
	select {
	case <-a.done:
		return nil, func() {}, io.EOF
	case <-timer.C:
	}
	a.next = a.next.Add(testAudioChunk)

	n := int(testAudioRate * testAudioChunk / time.Second)
	chunk := wave.NewInt16Interleaved(wave.ChunkInfo{Len: n, Channels: 1, SamplingRate: testAudioRate})
	step := 2 * math.Pi * TestToneHz / testAudioRate
	for i := range n {
		chunk.Data[i] = int16(math.Sin(a.phase) * math.MaxInt16 / 4)
		a.phase = math.Mod(a.phase+step, 2*math.Pi)
	}
	return chunk, func() {}, nil
}

// Close ends the source: the next Read returns io.EOF.
func (a *TestAudio) Close() error {
	a.closeOnce.Do(func() { close(a.done) })
	return nil
}
