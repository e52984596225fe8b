package capture

import (
	"fmt"
	"time"

	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/apm"
)

// recorder is a reader that says when the chunk it last read was recorded,
// as a microphone's does.
type recorder interface {
	Recorded() time.Time
}

// cleaned runs each chunk r reads (16-bit mono at apm.Rate) through proc,
// in place, as soon as it is read: the echo of the far end, the noise and
// the level are dealt with before the encoder sees it.
func cleaned(r audio.Reader, proc *apm.Processor, label string) audio.Reader {
	rec, _ := r.(recorder)
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		chunk, release, err := r.Read()
		if err != nil {
			return chunk, release, err
		}
		a, ok := chunk.(*wave.Int16Interleaved)
		if !ok || a.Size.Channels != 1 || a.Size.SamplingRate != apm.Rate {
			release()
			return nil, func() {}, fmt.Errorf("%w: %s gave %T %+v to clean, not 16-bit mono at %d Hz",
				ErrDeviceFailed, label, chunk, chunk.ChunkInfo(), apm.Rate)
		}
		at := time.Now().Add(-time.Duration(a.Size.Len) * time.Second / apm.Rate)
		if rec != nil {
			at = rec.Recorded()
		}
		if err := proc.Process(a.Data, at); err != nil {
			release()
			return nil, func() {}, fmt.Errorf("%w: cleaning the sound of %s: %v", ErrDeviceFailed, label, err)
		}
		return a, release, nil
	})
}
