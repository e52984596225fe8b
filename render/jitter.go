package render

import (
	"sync"

	"gopkg.in/hraban/opus.v2"
)

// Jitter buffer settings, in 20 ms packets.
const (
	// jitterDepth is how much audio is held before playing starts, and after
	// the buffer ran dry: what packets may be late by without a gap.
	jitterDepth = 3
	// jitterMaxDepth is how much may pile up (the sender's clock running
	// faster than the sound card's, or a burst after a stall) before the
	// oldest is dropped to bring the delay back down.
	jitterMaxDepth = 10
	// maxConcealed is how long a silence from the network is covered by
	// concealment, which fades out, before the buffer starts over.
	maxConcealed = 5
	// jitterSlots bounds the packets held; a jump beyond it restarts.
	jitterSlots = 64

	opusRate      = 48000
	maxOpusFrames = opusRate * 120 / 1000 // the longest Opus packet: 120 ms
)

// jitterBuffer turns Opus packets as they arrive into steady PCM for the
// sound card: it puts them back in order, waits a little for late ones, and
// conceals the lost ones with Opus's own FEC (from the next packet) or PLC
// rather than leave a click or a gap. Push runs on the network goroutine and
// Read on the audio thread.
type jitterBuffer struct {
	mu       sync.Mutex
	dec      *opus.Decoder
	channels int

	slots    [jitterSlots]jitterPacket
	held     int    // packets in slots
	next     uint16 // the sequence number to play next
	playing  bool   // playing has started: next is valid
	pcm      []int16
	pos      int  // in pcm, of what is not played yet
	frame    int  // samples per channel of the last packet: what concealment makes
	concealN int  // packets concealed in a row
	ended    bool // no more packets come: what is held is played out, then silence

	stats jitterStats
}

type jitterPacket struct {
	seq     uint16
	payload []byte
}

// jitterStats counts what the buffer did, in packets.
type jitterStats struct {
	Played    int // decoded as they came
	Concealed int // lost or too late, replaced by FEC or PLC
	Late      int // came after their turn: dropped
	Skipped   int // dropped to bring the delay down
	Underruns int // times the buffer ran dry and started over
}

func newJitterBuffer(channels int) (*jitterBuffer, error) {
	dec, err := opus.NewDecoder(opusRate, channels)
	if err != nil {
		return nil, err
	}
	return &jitterBuffer{dec: dec, channels: channels, frame: opusRate / 50,
		pcm: make([]int16, 0, maxOpusFrames*channels)}, nil
}

// Push adds one RTP packet's payload.
func (j *jitterBuffer) Push(seq uint16, payload []byte) {
	if len(payload) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.playing {
		d := int16(seq - j.next)
		switch {
		case d < 0:
			j.stats.Late++
			return
		case int(d) >= jitterSlots:
			j.reset() // the stream jumped: start over from here
		}
	}
	s := &j.slots[seq%jitterSlots]
	if s.payload != nil && s.seq == seq {
		return // a duplicate
	}
	if s.payload == nil {
		j.held++
	}
	*s = jitterPacket{seq: seq, payload: payload}
	if !j.playing && j.held > 1 {
		// Before playing, next tracks the oldest packet held.
		if int16(seq-j.next) < 0 {
			j.next = seq
		}
	} else if !j.playing {
		j.next = seq
	}
}

func (j *jitterBuffer) reset() {
	j.slots = [jitterSlots]jitterPacket{}
	j.held = 0
	j.playing = false
	j.concealN = 0
}

// take removes and returns the packet numbered seq, if held.
func (j *jitterBuffer) take(seq uint16) []byte {
	s := &j.slots[seq%jitterSlots]
	if s.payload == nil || s.seq != seq {
		return nil
	}
	p := s.payload
	*s = jitterPacket{}
	j.held--
	return p
}

// peek returns the packet numbered seq, if held, leaving it there.
func (j *jitterBuffer) peek(seq uint16) []byte {
	s := &j.slots[seq%jitterSlots]
	if s.payload == nil || s.seq != seq {
		return nil
	}
	return s.payload
}

// Read fills out with the next samples to play (interleaved), silence when
// there is nothing to play.
func (j *jitterBuffer) Read(out []int16) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(out) > 0 {
		if j.pos < len(j.pcm) {
			n := copy(out, j.pcm[j.pos:])
			j.pos += n
			out = out[n:]
			continue
		}
		if j.ended && j.held == 0 {
			clear(out) // all played: nothing to conceal
			return
		}
		if !j.playing {
			if j.held < jitterDepth && !j.ended {
				clear(out)
				return
			}
			j.playing = true
		}
		j.decodeNext()
	}
}

// End says that no more packets come: what the buffer holds is played
// out, then Drained reports true.
func (j *jitterBuffer) End() {
	j.mu.Lock()
	j.ended = true
	j.mu.Unlock()
}

// Drained reports whether the buffer has ended and played all it held.
func (j *jitterBuffer) Drained() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ended && j.held == 0 && j.pos >= len(j.pcm)
}

// decodeNext decodes or conceals packet next into pcm.
func (j *jitterBuffer) decodeNext() {
	for j.held > jitterMaxDepth {
		if j.take(j.next) != nil {
			j.stats.Skipped++
		}
		j.next++
	}
	j.pos = 0
	pcm := j.pcm[:cap(j.pcm)]
	seq := j.next
	j.next++
	if p := j.take(seq); p != nil {
		if n, err := j.dec.Decode(p, pcm); err == nil {
			j.pcm, j.frame, j.concealN = pcm[:n*j.channels], n, 0
			j.stats.Played++
			return
		}
	}
	// Lost, late or broken. hraban/opus sizes its output by the buffer's
	// capacity, so the slice is cut to exactly one frame.
	frame := pcm[: j.frame*j.channels : j.frame*j.channels]
	if j.held == 0 {
		j.concealN++
		if j.concealN > maxConcealed {
			// The network went quiet: stop and wait to fill up again.
			j.stats.Underruns++
			j.reset()
			clear(frame)
			j.pcm = frame
			return
		}
	}
	var err error
	if nextPacket := j.peek(j.next); nextPacket != nil {
		err = j.dec.DecodeFEC(nextPacket, frame) // falls back on PLC if it carries no FEC
	} else {
		err = j.dec.DecodePLC(frame)
	}
	if err != nil {
		clear(frame)
	}
	j.pcm = frame
	j.stats.Concealed++
}

func (j *jitterBuffer) Stats() jitterStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.stats
}
