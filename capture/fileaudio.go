package capture

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/wave"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
	"gopkg.in/hraban/opus.v2"
)

// fileAudioRate is the rate a sound file is played at: Opus's, the rate
// of pigeon's other sources.
const fileAudioRate = 48000

// fileAudioChunk is how much sound each Read gives: an Opus frame.
const fileAudioChunk = 20 * time.Millisecond

// FileAudio is a microphone that plays a sound file, as Chromium's
// --use-file-for-fake-audio-capture does: a WAV file (PCM of 8 to 32 bits,
// or float, at any rate from 4 to 384 kHz, any number of channels) or an
// Ogg Opus file, mixed to mono, converted to 48 kHz, looped with no gap, in
// 20 ms chunks paced in real time. A file found damaged while it plays
// ends the source with an error that wraps ErrMediaFile.
type FileAudio struct {
	path      string
	label     string
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex // held while sound is read; Close waits for it
	file    *os.File
	sound   soundFile
	res     *resampler // nil when the file is at 48 kHz
	in      []float32  // sound at 48 kHz, for the next Read
	scratch []float32
	next    time.Time
	err     error // sticky, once the file is found damaged
	closed  bool
}

// soundFile is a sound file's samples, mono, in [-1, 1], looped.
type soundFile interface {
	read(dst []float32) error
	rate() int
	describe() string
	close()
}

// OpenFileAudio opens the sound file at path (WAV or Ogg Opus, told apart
// by their contents) and reads its start: a file that is not one pigeon
// plays, or damaged from the start, is refused here.
func OpenFileAudio(path string) (*FileAudio, error) {
	f, kind, err := openMediaFile(path)
	if err != nil {
		return nil, err
	}
	var sound soundFile
	switch kind {
	case kindWAV:
		var w *wavReader
		if w, err = newWAV(f); err == nil {
			sound = wavSound{w}
		}
	case kindOgg:
		sound, err = newOggSound(f)
	case kindY4M, kindIVF, kindPicture:
		err = ErrVideoNotSound
	default:
		err = errors.New("it is not a sound file pigeon plays (WAV, or Ogg Opus)")
	}
	if err == nil {
		a := &FileAudio{
			path: path, file: f, sound: sound, done: make(chan struct{}),
			label: fmt.Sprintf("the sound %s (%s, looped)", filepath.Base(path), sound.describe()),
		}
		if sound.rate() != fileAudioRate {
			a.res = newResampler(sound.rate(), fileAudioRate)
		}
		// The first chunk, so that a file damaged from the start is
		// refused now; it is played first.
		if err = a.fill(); err == nil {
			return a, nil
		}
		sound.close()
	}
	f.Close()
	return nil, fmt.Errorf("%w %s: %v", ErrMediaFile, path, err)
}

// ID identifies the source to mediadevices.
func (a *FileAudio) ID() string { return "pigeon-file-audio" }

// Label says what the source plays, for the user.
func (a *FileAudio) Label() string { return a.label }

// chunkLen is the samples of one Read.
const chunkLen = int(fileAudioRate * fileAudioChunk / time.Second)

// fill makes sure a.in holds a chunk of sound at 48 kHz, reading and
// converting more of the file if need be.
func (a *FileAudio) fill() error {
	for len(a.in) < chunkLen {
		want := chunkLen - len(a.in)
		if a.res == nil {
			a.scratch = slices.Grow(a.scratch[:0], want)[:want]
			if err := a.sound.read(a.scratch); err != nil {
				return err
			}
			a.in = append(a.in, a.scratch...)
			continue
		}
		a.scratch = slices.Grow(a.scratch[:0], want)[:want]
		n := a.res.pull(a.scratch)
		a.in = append(a.in, a.scratch[:n]...)
		if n < want {
			more := max(a.res.need(), 256)
			a.scratch = slices.Grow(a.scratch[:0], more)[:more]
			if err := a.sound.read(a.scratch); err != nil {
				return err
			}
			a.res.push(a.scratch)
		}
	}
	return nil
}

// Read waits for the next chunk's time and returns it: 20 ms of 48 kHz
// mono.
func (a *FileAudio) Read() (wave.Audio, func(), error) {
	a.mu.Lock()
	next := a.next
	a.mu.Unlock()
	now := time.Now()
	if next.IsZero() || now.Sub(next) > maxLateness {
		next = now // start, or catch up after a stall rather than burst
	}
	timer := time.NewTimer(next.Sub(now))
	defer timer.Stop()
	select {
	case <-a.done:
		return nil, func() {}, io.EOF
	case <-timer.C:
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, func() {}, io.EOF
	}
	if a.err != nil {
		return nil, func() {}, a.err
	}
	a.next = next.Add(fileAudioChunk)
	if err := a.fill(); err != nil {
		a.err = fmt.Errorf("%w %s: %v", ErrMediaFile, a.path, err)
		return nil, func() {}, a.err
	}
	chunk := wave.NewInt16Interleaved(wave.ChunkInfo{Len: chunkLen, Channels: 1, SamplingRate: fileAudioRate})
	for i, s := range a.in[:chunkLen] {
		chunk.Data[i] = int16(math.Round(float64(max(-1, min(1, s))) * math.MaxInt16))
	}
	a.in = append(a.in[:0], a.in[chunkLen:]...)
	return chunk, func() {}, nil
}

// Close ends the source: the next Read returns io.EOF. It waits for a
// Read under way, then closes the file.
func (a *FileAudio) Close() error {
	a.closeOnce.Do(func() {
		close(a.done)
		a.mu.Lock()
		defer a.mu.Unlock()
		a.closed = true
		a.sound.close()
		a.file.Close()
	})
	return nil
}

// wavSound is a WAV file's sound.
type wavSound struct{ *wavReader }

func (w wavSound) rate() int { return w.format.rate }
func (w wavSound) close()    {}

// oggSound is an Ogg Opus file's sound, decoded by libopusfile (through
// hraban/opus) at 48 kHz, as Opus always is.
type oggSound struct {
	r        io.ReadSeeker
	stream   *opus.Stream
	channels int
	pcm      []int16
	samples  int64 // read since the start of the file
	loops    int
}

func newOggSound(r io.ReadSeeker) (*oggSound, error) {
	// opusfile interleaves the channels the Opus header names, which
	// hraban/opus does not say: read them from the header first.
	_, head, err := oggreader.NewWith(r)
	if err != nil {
		return nil, fmt.Errorf("it is not an Ogg Opus file (%v)", err)
	}
	if head.Channels < 1 || head.Channels > 8 {
		return nil, fmt.Errorf("the Ogg Opus file has %d channels", head.Channels)
	}
	o := &oggSound{r: r, channels: int(head.Channels)}
	if err := o.open(); err != nil {
		return nil, err
	}
	return o, nil
}

// open starts decoding at the start of the file.
func (o *oggSound) open() error {
	if _, err := o.r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// Hidden behind a plain reader, so that the stream does not close
	// the file.
	s, err := opus.NewStream(struct{ io.Reader }{o.r})
	if err != nil {
		return fmt.Errorf("the Ogg Opus file: %v", err)
	}
	o.stream = s
	o.samples = 0
	return nil
}

func (o *oggSound) read(dst []float32) error {
	for len(dst) > 0 {
		if len(o.pcm) < len(dst)*o.channels {
			o.pcm = make([]int16, len(dst)*o.channels)
		}
		n, err := o.stream.Read(o.pcm[:len(dst)*o.channels])
		if errors.Is(err, io.EOF) {
			if o.samples == 0 {
				return errors.New("the Ogg Opus file holds no sound")
			}
			o.stream.Close()
			if err := o.open(); err != nil {
				return err
			}
			o.loops++
			continue
		}
		if err != nil {
			// OP_HOLE: a page is missing or fails its checksum.
			return fmt.Errorf("the sound after %.3f s is damaged (%v)", float64(o.samples)/fileAudioRate, err)
		}
		for i := range n {
			var sum int
			for c := range o.channels {
				sum += int(o.pcm[i*o.channels+c])
			}
			dst[i] = float32(sum) / float32(o.channels) / (1 << 15)
		}
		dst = dst[n:]
		o.samples += int64(n)
	}
	return nil
}

func (o *oggSound) rate() int { return fileAudioRate }

func (o *oggSound) describe() string {
	return "Ogg Opus, " + channelWord(o.channels)
}

func (o *oggSound) close() {
	if o.stream != nil {
		o.stream.Close()
		o.stream = nil
	}
}
