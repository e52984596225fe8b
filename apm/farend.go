package apm

import (
	"sync"
	"time"
)

// farRing is how much of the far end is kept: more than any delay between
// the speaker and the microphone that the canceller can follow.
const farRing = 2 * Rate

// FarEnd is what the speakers play, kept for the Processors that cancel its
// echo. It is safe for one writer, the speaker's audio thread, and any
// readers at once.
type FarEnd struct {
	mu    sync.Mutex
	ring  [farRing]int16
	end   int64     // samples played in all: the next one is ring[end%farRing]
	endAt time.Time // when sample end will be heard; zero before anything was played
}

// NewFarEnd returns a far end nothing has been played into.
func NewFarEnd() *FarEnd { return &FarEnd{} }

// Played keeps pcm, what the speaker is about to play, whose first sample
// the room hears at heard. It runs on the audio thread: it only copies.
func (f *FarEnd) Played(pcm []int16, heard time.Time) {
	if len(pcm) > farRing {
		heard = heard.Add(samplesDuration(len(pcm) - farRing))
		pcm = pcm[len(pcm)-farRing:]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	at := int(f.end % farRing)
	n := copy(f.ring[at:], pcm)
	copy(f.ring[:], pcm[n:])
	f.end += int64(len(pcm))
	f.endAt = heard.Add(samplesDuration(len(pcm)))
}

// played is how many samples have been played in all, and when the room
// hears the end of them; false when nothing has been played yet.
func (f *FarEnd) played() (end int64, endAt time.Time, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.end, f.endAt, !f.endAt.IsZero()
}

// read fills frame with samples from number from on; what is not kept
// (too old, or not yet played) is silence.
func (f *FarEnd) read(frame []int16, from int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	oldest := max(f.end-farRing, 0)
	for i := range frame {
		n := from + int64(i)
		if n < oldest || n >= f.end {
			frame[i] = 0
			continue
		}
		frame[i] = f.ring[n%farRing]
	}
}

func samplesDuration(n int) time.Duration {
	return time.Duration(n) * time.Second / Rate
}
