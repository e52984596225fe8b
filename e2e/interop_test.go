package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

// Calls with WebRTC programs that pigeon did not write: pion's examples,
// built from the version of pion pigeon uses, and Chromium with a page of
// these tests' own that makes a call the plain way, as MDN's examples do
// (testdata/plain-call.html).

// rawPionLine is how pion's default logger writes a line ("datachannel
// ERROR: 2026/12/06 20:00:00 ..."): pigeon's stderr must hold none.
var rawPionLine = regexp.MustCompile(`(?m)^[a-zA-Z_]+ (ERROR|WARNING|INFO|DEBUG|TRACE): \d{4}/\d\d/\d\d `)

// checkNoRawPionLines fails the test if pion wrote to pigeon's stderr.
func checkNoRawPionLines(t *testing.T, stderr string) {
	t.Helper()
	if m := rawPionLine.FindString(stderr); m != "" {
		t.Errorf("pion wrote to pigeon's stderr itself (%q...):\n%s", m, stderr)
	}
}

// logReceived logs what pigeon says it received.
func logReceived(t *testing.T, stderr string) {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "pigeon: received ") {
			t.Log(line)
		}
	}
}

// pionExample builds one of pion's examples from the version of
// pion/webrtc in go.mod, in the module cache, and returns its binary.
func pionExample(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	pkg := "github.com/pion/webrtc/v4/examples/" + name
	build := exec.Command("go", "build", "-o", bin, pkg)
	build.Dir = ".." // pigeon's module, whose go.mod names the version
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building pion's %s example: %v\n%s", name, err, out)
	}
	if dir, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output(); err == nil {
		t.Logf("pion's %s example, from %s", name, strings.TrimSpace(string(dir)))
	}
	return bin
}

// sealedPionExample builds pion's example name, where the module cache
// may still be filled from the network, then runs the test again in a
// network with no way out (inSealedNetwork), since the examples ask a STUN
// server on the internet for their address. It returns the example's
// binary in the run inside that network, and "" in the run outside.
func sealedPionExample(t *testing.T, name string) string {
	t.Helper()
	const env = "PIGEON_E2E_PION_EXAMPLE"
	if os.Getenv("PIGEON_E2E_OWN_NETWORK") != "1" {
		t.Setenv(env, pionExample(t, name))
	}
	if !inSealedNetwork(t) {
		return ""
	}
	return os.Getenv(env)
}

// program is a running third-party program that reads its offer on stdin.
type program struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *syncBuffer
	done   chan struct{}
}

func startProgram(t *testing.T, bin, dir string) *program {
	t.Helper()
	p := &program{cmd: exec.Command(bin), stdout: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stdout
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s printed:\n%s", filepath.Base(bin), p.stdout)
		}
	})
	return p
}

// answer gives the program pigeon's offer and returns the answer it
// prints, the first line of its output that is one.
func (p *program) answer(t *testing.T, offer string) string {
	t.Helper()
	if _, err := fmt.Fprintln(p.stdin, offer); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.stdout.String(), "\n") {
			if s, err := offline.Decode(line); err == nil && s.Kind == offline.Answer {
				return strings.TrimSpace(line)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the program printed no answer within 20 s:\n%s", p.stdout)
	return ""
}

// readFIFO returns the code pigeon writes to the FIFO at path.
func readFIFO(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path) // returns once pigeon has written its code
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// writeFIFO hands pigeon the peer's code through the FIFO at path.
func writeFIFO(t *testing.T, path, code string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// callPionExample starts pigeon as the caller with args, and pion's
// example bin as its callee in a directory of its own, and passes the
// codes between them: pigeon's offer in base64 JSON, as the example reads
// it, and its answer back.
func callPionExample(t *testing.T, bin string, args ...string) (pg *proc, ex *program) {
	t.Helper()
	pg, toPeer, fromPeer := startForPage(t, true, append([]string{"--format", "json"}, args...)...)
	ex = startProgram(t, bin, t.TempDir())
	offer := readFIFO(t, toPeer)
	answer := ex.answer(t, offer)
	if s, err := offline.Decode(answer); err != nil || s.Pigeon || s.AnswersTo != nil {
		t.Errorf("pion's answer reads as a pigeon's (%v, names an offer: %v)", err, s.AnswersTo != nil)
	}
	writeFIFO(t, fromPeer, answer)
	waitOutput(t, "pigeon", pg.stderr, "pigeon: the peer's answer is not a pigeon's")
	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	return pg, ex
}

// TestPionDataChannelsAnswersPigeon: pion's data-channels example, which
// takes the channel its caller announces and sends a random line on it
// every 5 seconds, chats with pigeon both ways in plain text.
func TestPionDataChannelsAnswersPigeon(t *testing.T) {
	bin := sealedPionExample(t, "data-channels")
	if bin == "" {
		return
	}
	pg, ex := callPionExample(t, bin, "--video", "none", "--audio", "none", "--name", "alice", "-v")
	fmt.Fprintln(pg.stdin, "hello from pigeon")
	waitOutput(t, "the example", ex.stdout, "Message from DataChannel 'chat': 'hello from pigeon'")
	// The example says what it sends; pigeon shows it as it is.
	waitOutputWithin(t, 30*time.Second, "the example", ex.stdout, "Sending '")
	sent := regexp.MustCompile(`Sending '([A-Za-z]+)'`).FindStringSubmatch(ex.stdout.String())
	waitOutput(t, "pigeon's chat", pg.stdout, sent[1]+"\n")
	if strings.Contains(ex.stdout.String(), `"type"`) {
		t.Errorf("pigeon's own messages reached the example:\n%s", ex.stdout)
	}

	// Hanging up closes the connection, which is how the example learns.
	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	select {
	case <-ex.done:
	case <-time.After(10 * time.Second):
		t.Errorf("the example did not see the call end:\n%s", ex.stdout)
	}
	if lost := strings.Contains(pg.stderr.String(), "never reached the peer"); lost {
		t.Errorf("pigeon lists messages as undelivered:\n%s", pg.stderr)
	}
	checkNoRawPionLines(t, pg.stderr.String())
}

// TestPionReflectAnswersPigeon: pion's reflect example sends pigeon's own
// video back to it: pigeon receives and decodes it, beside the chat.
func TestPionReflectAnswersPigeon(t *testing.T) {
	bin := sealedPionExample(t, "reflect")
	if bin == "" {
		return
	}
	rec := filepath.Join(t.TempDir(), "rec")
	pg, ex := callPionExample(t, bin, "--video", "test", "--audio", "test", "--record", rec)
	waitOutput(t, "the example", ex.stdout, "Track has started")
	waitOutput(t, "pigeon", pg.stderr, "pigeon: receiving video (video/VP8)")
	waitReceived(t, pg, func(got map[string]int) bool { return got["decoded"] >= 40 })
	// The example closes the chat channel it has no use for, now and then:
	// that is no hang-up.
	if strings.Contains(pg.stderr.String(), "the peer hung up") {
		t.Errorf("pigeon took the example for hung up:\n%s", pg.stderr)
	}
	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	logReceived(t, pg.stderr.String())
	frames := regexp.MustCompile(`received video VP8 \d+x\d+: (\d+) frames .*, (\d+) decoded`).FindStringSubmatch(pg.stderr.String())
	if frames == nil {
		t.Fatalf("pigeon decoded none of the reflected video:\n%s", pg.stderr)
	}
	if n, _ := strconv.Atoi(frames[2]); n < 30 {
		t.Errorf("pigeon decoded %s frames of its reflected video, want at least 30", frames[2])
	}
	if ivf, err := mediatest.DecodeIVF(filepath.Join(rec, render.VideoFile)); err != nil || ivf.Frames < 30 {
		t.Errorf("pigeon's recording of the reflected video: %d decodable frames, %v; want at least 30", ivf.Frames, err)
	}
	checkNoRawPionLines(t, pg.stderr.String())
}

// plainPage is testdata/plain-call.html, open in Chromium.
func openPlainPage(t *testing.T) *page {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir("testdata"))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return openPageAt(t, "http://"+ln.Addr().String()+"/plain-call.html")
}

// waitLog waits for the plain page to note what.
func (p *page) waitLog(what string) {
	p.t.Helper()
	p.waitFor("the page to note "+what, fmt.Sprintf(`window.plain.log.some((l) => l.startsWith(%q))`, what))
}

// plainCall runs a call between pigeon and the plain page: pigeon offers
// when pigeonOffers, the page otherwise; form is the page's, "json" (the
// description as JSON text) or "sdp". pigeon hangs up when pigeonHangsUp,
// the page otherwise.
func plainCall(t *testing.T, pigeonOffers bool, form string, pigeonHangsUp bool) {
	p := openPlainPage(t)
	p.js(fmt.Sprintf(`document.getElementById("form").value = %q`, form))
	var args []string
	if pigeonOffers {
		args = []string{"--format", map[string]string{"json": "raw-json", "sdp": "sdp"}[form]}
	}
	pg, toPage, fromPage := startForPage(t, pigeonOffers, append(args, "--video", "test", "--audio", "test", "--name", "alice")...)

	var pigeonCode string
	if pigeonOffers {
		pigeonCode = readFIFO(t, toPage)
		p.click("answer")
		p.waitLog("paste the offer")
		p.set("theirs", pigeonCode)
		p.click("use")
		p.waitLog("answer ready")
		writeFIFO(t, fromPage, eval[string](p, `document.getElementById("mine").value`))
	} else {
		p.click("call")
		p.waitLog("offer ready")
		writeFIFO(t, fromPage, eval[string](p, `document.getElementById("mine").value`))
		pigeonCode = readFIFO(t, toPage)
		p.set("theirs", pigeonCode)
		p.click("use")
	}
	// pigeon's code is in the page's form, which the page read as it is.
	kind := offline.Answer
	if pigeonOffers {
		kind = offline.Offer
	}
	want := map[string]offline.Format{"json": offline.FormatRawJSON, "sdp": offline.FormatSDP}[form]
	if sig, err := offline.ReadSignal(bufio.NewReader(strings.NewReader(pigeonCode+"\n\n")), kind); err != nil || sig.Format != want {
		t.Errorf("pigeon wrote %.40q, in format %v (%v); want %v, the page's", pigeonCode, sig.Format, err, want)
	}

	waitOutput(t, "pigeon", pg.stderr, "is not a pigeon's")
	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitLog("chat open on chat")
	fmt.Fprintln(pg.stdin, "hello from pigeon")
	p.waitFor("pigeon's message", `window.plain.received.includes("hello from pigeon")`)
	p.set("message", "héllo ✓ from the page")
	p.js(`document.getElementById("chat").requestSubmit()`)
	waitOutput(t, "pigeon's chat", pg.stdout, "héllo ✓ from the page\n")

	deadline := time.Now().Add(20 * time.Second)
	for {
		st := eval[pageStats](p, `window.plain.stats()`)
		if st.VideoFrames >= 20 && st.AudioPackets >= 50 {
			t.Logf("the page decoded %d video frames, received %d audio packets", st.VideoFrames, st.AudioPackets)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page received too little of pigeon's media: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitOutput(t, "pigeon", pg.stderr, "pigeon: receiving video (video/VP8)")
	waitReceived(t, pg, func(got map[string]int) bool { return got["decoded"] >= 15 })

	if pigeonHangsUp {
		pg.stdin.Close()
		p.waitLog("chat closed")
	} else {
		p.click("hangup")
		waitOutput(t, "pigeon", pg.stderr, "pigeon: the peer hung up")
	}
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	logReceived(t, pg.stderr.String())
	frames := regexp.MustCompile(`received video VP8 \d+x\d+: (\d+) frames .*, (\d+) decoded`).FindStringSubmatch(pg.stderr.String())
	if frames == nil {
		t.Fatalf("pigeon decoded none of the page's video:\n%s", pg.stderr)
	}
	if n, _ := strconv.Atoi(frames[2]); n < 10 {
		t.Errorf("pigeon decoded %s frames of the page's video, want at least 10", frames[2])
	}
	for _, line := range strings.Split(pg.stderr.String(), "\n") {
		if strings.Contains(line, "points to") {
			t.Log(line)
		}
	}
	checkNoRawPionLines(t, pg.stderr.String())
}

// TestPlainPageCallsPigeon: the page calls with its own "chat" channel and
// its offer as JSON text; pigeon takes the channel and answers in JSON.
// The page hangs up.
func TestPlainPageCallsPigeon(t *testing.T) { plainCall(t, false, "json", false) }

// TestPlainPageCallsPigeonSDP: the same with the SDP as text; pigeon hangs
// up.
func TestPlainPageCallsPigeonSDP(t *testing.T) { plainCall(t, false, "sdp", true) }

// TestPlainPageAnswersPigeon: pigeon calls with its offer as SDP text and
// announces the chat; the page takes it and answers as it was called.
func TestPlainPageAnswersPigeon(t *testing.T) { plainCall(t, true, "sdp", false) }

// TestPlainPageAnswersPigeonJSON: the same in JSON; pigeon hangs up.
func TestPlainPageAnswersPigeonJSON(t *testing.T) { plainCall(t, true, "json", true) }

// TestPionLogsAsStatusLines: pion's own lines reach pigeon's stderr only
// with -v, as pigeon's status lines in a person's words, at the levels
// PION_LOG_* ask for; never in pion's raw form.
func TestPionLogsAsStatusLines(t *testing.T) {
	t.Setenv("PION_LOG_INFO", "pc")
	for _, verbose := range []bool{true, false} {
		dir := t.TempDir()
		args := []string{"call", "--video", "none", "--audio", "none", "--signal-out", filepath.Join(dir, "offer"),
			"--signal-in", mkfifo(t, filepath.Join(dir, "answer"))}
		if verbose {
			args = append(args, "-v")
		}
		pg := start(t, args...)
		waitOutput(t, "pigeon", pg.stderr, "offer written to")
		if verbose {
			waitOutput(t, "pigeon -v", pg.stderr, "pigeon: peer connection: signaling state changed to have-local-offer\n")
		}
		pg.cmd.Process.Signal(os.Interrupt)
		if code := pg.exit(t, 10*time.Second); code != 0 {
			t.Errorf("pigeon exit code %d after Ctrl-C, want 0", code)
		}
		if !verbose && strings.Contains(pg.stderr.String(), "peer connection") {
			t.Errorf("without -v, pion's lines reached stderr:\n%s", pg.stderr)
		}
		checkNoRawPionLines(t, pg.stderr.String())
	}
}
