package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render"
)

// person is one pigeon process of a group call, with the FIFOs its codes
// go through.
type person struct {
	name    string
	proc    *proc
	in, out string // --signal-in, --signal-out
	rec     string
}

// groupArgs are what every person of these calls runs with.
func groupArgs(p *person) []string {
	return []string{"--signal-in", p.in, "--signal-out", p.out, "--name", p.name, "--record", p.rec,
		"--video", "test", "--audio", "test", "--interface", "lo", "--timeout", "5s"}
}

func newPerson(t *testing.T, dir, name, command string) *person {
	t.Helper()
	p := &person{name: name, in: mkfifo(t, filepath.Join(dir, name+".in")), out: mkfifo(t, filepath.Join(dir, name+".out")),
		rec: filepath.Join(dir, name)}
	p.proc = start(t, append([]string{command}, groupArgs(p)...)...)
	return p
}

// carry reads the next code from one FIFO and writes it into another, as a
// script carries codes.
func carry(t *testing.T, from, to string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		code, err := os.ReadFile(from) // until pigeon closes its end
		if err == nil {
			err = os.WriteFile(to, code, 0o600)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no code from %s within 30 s", from)
	}
}

// invite has inviter make an offer with /invite and a new pigeon answer
// it, through the FIFOs, as a script does.
func invite(t *testing.T, dir string, inviter *person, name string) *person {
	t.Helper()
	waitOutputWithin(t, 40*time.Second, inviter.name+" up", inviter.proc.stderr, "pigeon: chat open")
	fmt.Fprintln(inviter.proc.stdin, "/invite")
	return answerOf(t, dir, inviter, name)
}

// answerOf starts name's pigeon answer to the next code of from's, and
// carries the codes both ways, as a script does.
func answerOf(t *testing.T, dir string, from *person, name string) *person {
	t.Helper()
	p := newPerson(t, dir, name, "answer")
	carry(t, from.out, p.in)
	carry(t, p.out, from.in)
	return p
}

// waitGroup waits until each person is connected to each other one, by
// name, and has a safety number with them.
func waitGroup(t *testing.T, people []*person) {
	t.Helper()
	for _, p := range people {
		waitOutputWithin(t, 40*time.Second, p.name+" chat", p.proc.stderr, "pigeon: chat open")
	}
	for _, p := range people {
		for _, q := range people {
			if p == q {
				continue
			}
			// The first peer is the one of a call of two; the others come
			// as they join.
			if !p.proc.stderr.waitFor(40*time.Second, func(s string) bool {
				return strings.Contains(s, "pigeon: the peer's name is "+q.name) || strings.Contains(s, "pigeon: "+q.name+" joined the call")
			}) {
				t.Fatalf("%s never had %s in the call:\n%s", p.name, q.name, p.proc.stderr)
			}
		}
	}
}

// chatAll has each person say hello, and checks each other one reads it
// with its sender's name.
func chatAll(t *testing.T, people []*person) {
	t.Helper()
	for _, p := range people {
		fmt.Fprintln(p.proc.stdin, "hello from "+p.name)
	}
	for _, p := range people {
		for _, q := range people {
			if p != q {
				waitOutputWithin(t, 20*time.Second, p.name+" reading "+q.name, p.proc.stdout, q.name+": hello from "+q.name+"\n")
			}
		}
	}
}

// waitVideo asks p for /stats until it shows the video of n peers decoded,
// each 30 frames or more.
func waitVideo(t *testing.T, p *person, n int) {
	t.Helper()
	frames := regexp.MustCompile(`pigeon: receiving video VP8 640x480: (\d+) frames`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		from := len(p.proc.stderr.String())
		fmt.Fprintln(p.proc.stdin, "/stats")
		var got []int
		p.proc.stderr.waitFor(5*time.Second, func(s string) bool {
			got = nil
			for _, m := range frames.FindAllStringSubmatch(s[from:], -1) {
				var f int
				fmt.Sscan(m[1], &f)
				got = append(got, f)
			}
			return len(got) >= n
		})
		if len(got) >= n && slicesMin(got) >= 30 {
			return
		}
		p.proc.stderr.waitFor(time.Second, func(string) bool { return false }) // the next /stats, a second on
	}
	t.Fatalf("%s never showed the video of %d peers, 30 frames each:\n%s", p.name, n, p.proc.stderr)
}

func slicesMin(v []int) int {
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}

// checkRecorded checks that p recorded the video of n peers: the first
// under the usual name, the others under their IDs.
func checkRecorded(t *testing.T, p *person, n int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.rec, "video*.ivf"))
	if len(files) != n {
		t.Errorf("%s recorded the video of %d peers (%v), want %d", p.name, len(files), files, n)
	}
	for _, f := range files {
		ivf, err := mediatest.DecodeIVF(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if ivf.Frames < 10 || ivf.Width != 640 {
			t.Errorf("%s holds %d frames of %dx%d, want at least 10 of 640x480", f, ivf.Frames, ivf.Width, ivf.Height)
		}
	}
	if _, err := os.Stat(filepath.Join(p.rec, render.VideoFile)); err != nil {
		t.Errorf("%s: the first peer's video is not in %s: %v", p.name, render.VideoFile, err)
	}
}

// TestGroupCallOfThree: ann calls bob, then invites cat with /invite; bob
// and cat connect over the call with no code. All three chat, each sees
// the others' video and has a safety number with each; cat hangs up and
// ann and bob go on.
func TestGroupCallOfThree(t *testing.T) {
	dir := t.TempDir()
	ann := newPerson(t, dir, "ann", "call")
	bob := answerOf(t, dir, ann, "bob")
	// A second /invite while the first waits is refused, and writes no
	// offer: the next line of --signal-out stays cat's.
	waitOutputWithin(t, 40*time.Second, "ann up", ann.proc.stderr, "pigeon: chat open")
	fmt.Fprintln(ann.proc.stdin, "/invite")
	fmt.Fprintln(ann.proc.stdin, "/invite")
	waitOutput(t, "ann's second /invite", ann.proc.stderr, "pigeon: /invite: an invitation is waiting for its answer; paste it first")
	cat := answerOf(t, dir, ann, "cat")
	people := []*person{ann, bob, cat}
	waitGroup(t, people)
	waitOutputWithin(t, 40*time.Second, "bob's number with cat", bob.proc.stderr, "pigeon: safety number with cat: ")
	waitOutputWithin(t, 40*time.Second, "cat's number with bob", cat.proc.stderr, "pigeon: safety number with bob: ")
	// Bob and cat, introduced by ann, have the same number for each other.
	number := func(p *person, with string) string {
		m := regexp.MustCompile(`safety number with ` + with + `: (\d{3} \d{3})`).FindStringSubmatch(p.proc.stderr.String())
		if m == nil {
			t.Fatalf("%s has no safety number with %s", p.name, with)
		}
		return m[1]
	}
	if a, b := number(bob, "cat"), number(cat, "bob"); a != b {
		t.Errorf("bob's number with cat is %s, cat's with bob %s", a, b)
	}
	chatAll(t, people)
	for _, p := range people {
		waitVideo(t, p, 2)
	}
	for _, want := range []string{"pigeon: bob:", "pigeon: cat:"} {
		waitOutput(t, "ann's /stats", ann.proc.stderr, want)
	}

	cat.proc.stdin.Close() // cat hangs up
	if code := cat.proc.exit(t, 15*time.Second); code != 0 {
		t.Errorf("cat exit code %d, want 0", code)
	}
	for _, p := range []*person{ann, bob} {
		waitOutput(t, p.name+" told cat left", p.proc.stderr, "pigeon: cat left the call; 1 other is still in it")
	}
	fmt.Fprintln(ann.proc.stdin, "still here")
	waitOutput(t, "bob after cat left", bob.proc.stdout, "ann: still here\n")

	ann.proc.stdin.Close()
	for _, p := range []*person{ann, bob} {
		if code := p.proc.exit(t, 15*time.Second); code != 0 {
			t.Errorf("%s exit code %d, want 0", p.name, code)
		}
	}
	for _, p := range people {
		checkRecorded(t, p, 2)
	}
}

// TestGroupNewcomerGetsMutedState: bob mutes and turns his video off, then
// ann invites cat: cat is told so and gets nothing from bob until he turns
// them on again.
func TestGroupNewcomerGetsMutedState(t *testing.T) {
	dir := t.TempDir()
	ann := newPerson(t, dir, "ann", "call")
	bob := answerOf(t, dir, ann, "bob")
	waitOutputWithin(t, 40*time.Second, "bob up", bob.proc.stderr, "pigeon: chat open")
	fmt.Fprintln(bob.proc.stdin, "/mute")
	waitOutput(t, "bob muted", bob.proc.stderr, "pigeon: microphone off")
	fmt.Fprintln(bob.proc.stdin, "/video off")
	waitOutput(t, "bob's video off", bob.proc.stderr, "pigeon: video off")
	cat := invite(t, dir, ann, "cat")
	waitGroup(t, []*person{ann, bob, cat})
	waitOutput(t, "cat told bob's microphone", cat.proc.stderr, "pigeon: bob's microphone is off")
	waitOutput(t, "cat told bob's video", cat.proc.stderr, "pigeon: bob's video is off")
	waitVideo(t, cat, 1) // ann's, thirty frames and more
	fromBob := regexp.MustCompile(`pigeon: receiving (audio|video) \(.*\) from bob`)
	if fromBob.MatchString(cat.proc.stderr.String()) {
		t.Fatalf("cat received media from bob, who was muted with his video off when cat joined:\n%s", cat.proc.stderr)
	}

	fmt.Fprintln(bob.proc.stdin, "/unmute")
	fmt.Fprintln(bob.proc.stdin, "/video on")
	waitOutput(t, "cat told bob's microphone on", cat.proc.stderr, "pigeon: bob's microphone is on")
	waitOutput(t, "cat receiving bob's video", cat.proc.stderr, "pigeon: receiving video (video/VP8) from bob")
	waitOutput(t, "cat receiving bob's sound", cat.proc.stderr, "pigeon: receiving audio (audio/opus) from bob")
	waitVideo(t, cat, 2)

	for _, p := range []*person{ann, bob, cat} {
		p.proc.stdin.Close()
	}
	for _, p := range []*person{ann, bob, cat} {
		if code := p.proc.exit(t, 15*time.Second); code != 0 {
			t.Errorf("%s exit code %d, want 0", p.name, code)
		}
	}
}

// TestGroupCallOfFour: a newcomer invites the next one (cat invites dan),
// everyone sees everyone's chat and video, and dan's pigeon is killed: the
// others say it dropped out and go on.
func TestGroupCallOfFour(t *testing.T) {
	dir := t.TempDir()
	ann := newPerson(t, dir, "ann", "call")
	bob := answerOf(t, dir, ann, "bob")
	cat := invite(t, dir, ann, "cat")
	waitGroup(t, []*person{ann, bob, cat})
	dan := invite(t, dir, cat, "dan")
	people := []*person{ann, bob, cat, dan}
	waitGroup(t, people)
	chatAll(t, people)
	for _, p := range people {
		waitVideo(t, p, 3)
	}

	dan.proc.cmd.Process.Kill()
	for _, p := range people[:3] {
		waitOutputWithin(t, 30*time.Second, p.name+" told dan dropped", p.proc.stderr, "pigeon: dan dropped out of the call")
	}
	fmt.Fprintln(bob.proc.stdin, "after dan")
	for _, p := range []*person{ann, cat} {
		waitOutput(t, p.name+" after dan dropped", p.proc.stdout, "bob: after dan\n")
	}
	ann.proc.stdin.Close()
	bob.proc.stdin.Close()
	cat.proc.stdin.Close()
	for _, p := range people[:3] {
		if code := p.proc.exit(t, 15*time.Second); code != 0 {
			t.Errorf("%s exit code %d, want 0", p.name, code)
		}
	}
	for _, p := range people[:3] {
		checkRecorded(t, p, 3)
	}
}
