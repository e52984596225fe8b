package e2e

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/internal/pulsetest"
	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/render"
)

const rate = pulsetest.Rate

// The caller says its sentence every period, looped from its file; the
// person in the callee's room says theirs in the middle of each of the
// caller's silences, for sentences periods once the test has found where
// the caller's sentences fall.
const (
	period    = 7 * rate
	sentences = 3
)

// echoCall is what the caller got back in a call whose callee's microphone
// hears its own speakers: the mean power of what it recorded where only
// the echo of its own voice can be, and where only the person in the
// callee's room speaks, in 20 ms windows.
type echoCall struct {
	echo, person   float64
	echoW, personW int // how many windows of each
}

func (c echoCall) ratio() float64 { return 10 * math.Log10(c.person/c.echo) }

// TestEchoCancelledInACall: a call where the callee's speakers play into a
// PulseAudio null sink whose monitor is the callee's microphone, and a
// person in the room (espeak-ng, played into the same sink) speaks between
// the caller's sentences. What the caller gets back keeps the person and
// loses the echo of the caller's own voice: at least 25 dB below the
// person, once the canceller has had the caller's first sentences to
// converge. The same call with --raw-mic shows the echo is there, and that
// the processing takes at least 25 dB of it away, while the person's level
// stays within what the gain control may add.
//
// The windows are found from the references: the test records the room
// (the sink's monitor: what the callee's microphone hears), finds each of
// the caller's sentences and the person's in it by correlation, and finds
// each of the person's in what the caller recorded, which both calls keep.
func TestEchoCancelledInACall(t *testing.T) {
	testenv.RequireTools(t, "espeak-ng", "ffmpeg")
	dir := t.TempDir()
	caller, err := mediatest.Say("en-us", "The birch canoe slid on the smooth planks.")
	if err != nil {
		t.Fatal(err)
	}
	person, err := mediatest.Say("en-gb+f3", "A king ruled the state in the early days.")
	if err != nil {
		t.Fatal(err)
	}
	if len(caller)+len(person)+rate > period {
		t.Fatalf("sentences of %.1f s and %.1f s do not fit apart in %d s", float64(len(caller))/rate, float64(len(person))/rate, period/rate)
	}
	file := make([]int16, period)
	copy(file, caller)
	wav := filepath.Join(dir, "caller.wav")
	if err := mediatest.WriteWAV(wav, file); err != nil {
		t.Fatal(err)
	}

	on := echoInACall(t, filepath.Join(dir, "on"), wav, caller, person, false)
	off := echoInACall(t, filepath.Join(dir, "off"), wav, caller, person, true)
	t.Logf("processed: the echo %.1f dB below the person (%d and %d windows); raw: %.1f dB (%d and %d windows)",
		on.ratio(), on.echoW, on.personW, off.ratio(), off.echoW, off.personW)
	removed := 10 * math.Log10(off.echo/on.echo)
	kept := 10 * math.Log10(on.person/off.person)
	t.Logf("the processing took %.1f dB off the echo, and changed the person's level by %+.1f dB", removed, kept)
	if on.ratio() < 25 {
		t.Errorf("the echo of the caller's voice came back %.1f dB below the person in the room, want at least 25 dB", on.ratio())
	}
	if off.ratio() > 10 {
		t.Errorf("with --raw-mic the echo came back %.1f dB below the person: the call has no echo to cancel", off.ratio())
	}
	if removed < 25 {
		t.Errorf("the processing took %.1f dB off the echo, want at least 25 dB", removed)
	}
	if kept < -3 || kept > 10 {
		t.Errorf("the processing changed the person's level by %+.1f dB, want -3 to +10 dB (the gain control adds up to 9)", kept)
	}
}

// echoInACall makes a call in dir: the caller sends wav (its sentence, then
// silence, every period) with no speaker and records what comes back; the
// callee has a PulseAudio server of its own whose null sink "room" is its
// speakers and whose monitor is its microphone, and the person's sentence
// is played into the sink between the caller's. raw gives the callee
// --raw-mic.
func echoInACall(t *testing.T, dir, wav string, caller, person []int16, raw bool) echoCall {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	server := pulsetest.Start(t, pulsetest.Config{Sinks: []string{"room"}})
	heard, err := server.Record("room.monitor")
	if err != nil {
		t.Fatal(err)
	}
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	rec := filepath.Join(dir, "caller")
	cp := start(t, "call", "--video", "none", "--audio", wav, "--speaker", "none", "--view", "none",
		"--record", rec, "--signal-out", offer, "--signal-in", answer, "--interface", "lo")
	args := []string{"answer", "-v", "--video", "none", "--audio", "mic", "--view", "none",
		"--signal-in", offer, "--signal-out", answer, "--interface", "lo"}
	if raw {
		args = append(args, "--raw-mic")
	}
	callee := startWith(t, "", server.Env(), args...)
	waitOutput(t, "caller", cp.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	// Once the room has heard one of the caller's sentences whole, its
	// place says where the next ones fall; the person speaks in the middle
	// of the silences between them, from the second on.
	var first int
	var got []int16
	var gotAt time.Time // when the newest sample in got was recorded, about
	for {
		got, gotAt = heard.Recorded(), time.Now()
		if len(got) > len(caller)+rate {
			if at, c := mediatest.Find(got[:len(got)-rate/2], caller); c > 0.6 {
				first = at
				break
			}
		}
		if len(got) > 30*rate {
			t.Fatalf("none of the caller's sentences reached the callee's room in 30 s")
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The recording's newest sample is now, give or take parec's 10 ms (its
	// first ones may have come late, as a new stream's do on a null sink).
	gap := period - len(caller)
	from := first + len(caller) + (gap-len(person))/2 // the middle of a silence, in the recording
	for from < len(got)+rate {
		from += period // far enough ahead for pacat to start
	}
	startAt := time.Now()
	lead := from - len(got) - int(startAt.Sub(gotAt).Seconds()*rate)
	track := make([]int16, lead, lead+sentences*period)
	for range sentences {
		track = append(track, person...)
		track = append(track, make([]int16, period-len(person))...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := server.Play(ctx, "room", track); err != nil {
		t.Fatal(err)
	}
	cp.stdin.Close()
	if code := cp.exit(t, 20*time.Second); code != 0 {
		t.Fatalf("caller exit code %d:\n%s", code, cp.stderr)
	}
	callee.exit(t, 20*time.Second)
	for _, line := range strings.Split(callee.stderr.String(), "\n") {
		if strings.Contains(line, "echo canceller:") {
			t.Logf("%s: %s", filepath.Base(dir), line)
		}
	}
	mic, err := heard.Stop()
	if err != nil {
		t.Fatal(err)
	}
	got, err = mediatest.DecodeSound(filepath.Join(rec, render.AudioFile), rate)
	if err != nil {
		t.Fatal(err)
	}

	// Each sentence where it was heard: near where its period puts it.
	callers := each(mic, caller, first, period)
	persons := each(mic, person, from, period)
	if len(persons) > 0 {
		t.Logf("%s: the person spoke %d ms after the test meant", filepath.Base(dir), (persons[0]-from)*1000/rate)
	}
	if len(persons) < 2 || len(callers) < 2 {
		t.Fatalf("%d of the person's sentences and %d of the caller's found in what the microphone heard, want 2 or more of each",
			len(persons), len(callers))
	}
	// Where each of the person's sentences is in what the caller got back:
	// got[i+shifts[k]] came of mic[i] near persons[k]. The clearest there
	// is one of them, the one whose shift finds the others best.
	clearest, _ := mediatest.Find(got, person)
	var shifts []int
	bestScore := -1.0
	for _, at := range persons {
		var score float64
		var ss []int
		for _, other := range persons {
			found, c := near(got, person, other+clearest-at)
			score += c
			ss = append(ss, found-other)
		}
		if score > bestScore {
			bestScore, shifts = score, ss
		}
	}
	shiftAt := func(i int) int {
		best := 0
		for k, at := range persons {
			if abs(at-i) < abs(persons[best]-i) {
				best = k
			}
		}
		return shifts[best]
	}

	const w = rate / 50
	talks := func(voice []int16, ats []int, from int) bool {
		for _, at := range ats {
			if i := from - at; i >= 0 && i+w <= len(voice) && mediatest.MeanSquare(voice[i:i+w]) > 1e4 { // -35 dBFS
				return true
			}
		}
		return false
	}
	var call echoCall
	// The canceller has the caller's first sentence to converge; the
	// measure starts with the sentence before the person's first.
	for from := persons[0] - period; from+w <= len(mic); from += w {
		g := from + shiftAt(from)
		if g < 0 || g+w > len(got) {
			continue
		}
		p := mediatest.MeanSquare(got[g : g+w])
		switch {
		case talks(caller, callers, from) && !talks(person, persons, from):
			call.echo += p
			call.echoW++
		case talks(person, persons, from) && !talks(caller, callers, from):
			call.person += p
			call.personW++
		}
	}
	if call.echoW < 50 || call.personW < 50 {
		t.Fatalf("%d windows of the echo alone and %d of the person alone, want at least 50 of each", call.echoW, call.personW)
	}
	call.echo = max(call.echo/float64(call.echoW), 1e-3) // digital silence: far below any bound here
	call.person /= float64(call.personW)
	return call
}

// each finds voice in sig every period or so, before and after near: each
// near where the last one found puts it, since players' timing wanders.
// A sentence the jitter buffer or a player mended here and there still
// correlates with its reference by 0.3 or more; the other voice, by 0.1.
func each(sig, voice []int16, near0, every int) []int {
	var before, after []int
	for at := near0 - every; at+len(voice) > 0; at -= every {
		if found, c := near(sig, voice, at); c >= 0.3 {
			before = append(before, found)
			at = found
		}
	}
	for at := near0; at < len(sig); at += every {
		if found, c := near(sig, voice, at); c >= 0.3 {
			after = append(after, found)
			at = found
		}
	}
	for i, j := 0, len(before)-1; i < j; i, j = i+1, j-1 {
		before[i], before[j] = before[j], before[i]
	}
	return append(before, after...)
}

// near finds voice in sig within a second of at, and returns where and the
// correlation there.
func near(sig, voice []int16, at int) (int, float64) {
	lo, hi := max(at-rate, 0), min(at+len(voice)+rate, len(sig))
	if hi-lo < len(voice) {
		return at, 0
	}
	found, c := mediatest.Find(sig[lo:hi], voice)
	return lo + found, c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
