package e2e

import (
	"bytes"
	"context"
	"fmt"
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

	"github.com/chromedp/chromedp"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/web"
)

// browserTimeout bounds one browser call from the page's load to the
// hang-up; CI runs these on two cores.
const browserTimeout = 90 * time.Second

// chromium returns the path of a Chromium to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	return testenv.LookPath(t, "chromium", "chromium-browser", "google-chrome")
}

// page is pigeon's call page open in a headless Chromium with a fake
// camera and microphone.
type page struct {
	t   *testing.T
	ctx context.Context
	tab context.Context // the tab's own context, without the deadline
	url string
}

func openPage(t *testing.T, extra ...chromedp.ExecAllocatorOption) *page {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: web.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return openPageAt(t, "http://"+ln.Addr().String()+"/", extra...)
}

// openPageAt opens the page at url in a headless Chromium.
func openPageAt(t *testing.T, url string, extra ...chromedp.ExecAllocatorOption) *page {
	t.Helper()
	exe := chromium(t)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(900, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first action starts the browser, whose life is that of ctx: the
	// deadline goes on the actions that follow.
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	deadline, cancelDeadline := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelDeadline)
	return &page{t: t, ctx: deadline, tab: ctx, url: url}
}

// another opens the page again in another tab of the same browser.
func (p *page) another() *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.tab)
	p.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url)); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	deadline, cancelDeadline := context.WithTimeout(ctx, browserTimeout)
	p.t.Cleanup(cancelDeadline)
	return &page{t: p.t, ctx: deadline, tab: ctx, url: p.url}
}

// js runs a JavaScript expression, awaiting a promise, and ignores its value.
func (p *page) js(expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](expr, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("browser: %s: %v", expr, err)
	}
}

// eval evaluates a JavaScript expression, awaiting a promise, into a T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("browser: %s: %v", expr, err)
	}
	return v
}

// waitFor polls the expression until it is true.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !eval[bool](p, "!!("+expr+")") {
		if time.Now().After(deadline) {
			status := eval[string](p, `document.getElementById("status").textContent`)
			errText := eval[string](p, `document.getElementById("error").textContent`)
			p.t.Fatalf("page: %s never happened (status %q, error %q)", what, status, errText)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click clicks the button with this id.
func (p *page) click(id string) {
	p.t.Helper()
	p.js(fmt.Sprintf("document.getElementById(%q).click()", id))
}

// set sets the value of the form field with this id.
func (p *page) set(id, value string) {
	p.t.Helper()
	p.js(fmt.Sprintf("document.getElementById(%q).value = %s", id, strconv.Quote(value)))
}

// myCode waits for the page's code and returns it.
func (p *page) myCode() string {
	p.t.Helper()
	p.waitFor("its code", `document.getElementById("my-code").value`)
	return eval[string](p, `document.getElementById("my-code").value`)
}

// paste pastes code as the peer's and uses it.
func (p *page) paste(code string) {
	p.t.Helper()
	p.set("peer-code", code)
	p.click("use")
}

func (p *page) chat(text string) {
	p.t.Helper()
	p.set("chat-input", text)
	p.js(`document.getElementById("chat").requestSubmit()`)
}

type pageStats struct {
	AudioPackets int `json:"audioPackets"`
	VideoFrames  int `json:"videoFrames"`
	Width        int `json:"width"`
	Height       int `json:"height"`
}

// waitMedia waits until the page has decoded video frames and received
// audio packets.
func (p *page) waitMedia() pageStats {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := eval[pageStats](p, `window.pigeon.stats()`)
		if st.VideoFrames >= 20 && st.AudioPackets >= 50 {
			return st
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("page received too little media: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// screenshot saves the page in the call to the test's output, as wide as
// the window and at a phone's size.
func (p *page) screenshot(name string) {
	p.t.Helper()
	p.shot(name + ".png")
	// A phone: 390×844 CSS pixels, touch, twice as many device pixels.
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	p.shot(name + "-phone.png")
	if err := chromedp.Do(p.ctx, chromedp.EmulateReset()); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// shot saves a picture of the whole page as it is, as mediatest.SavePNG
// saves pictures: into $PIGEON_TEST_PICTURES when set.
func (p *page) shot(file string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("browser: screenshot: %v", err)
	}
	dir := os.Getenv("PIGEON_TEST_PICTURES")
	if dir == "" {
		dir = p.t.TempDir()
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("the page is in %s (set PIGEON_TEST_PICTURES to keep it)", path)
}

// browserCall runs one call between pigeon and the page: pigeon makes the
// offer when pigeonOffers, the page otherwise; pigeon writes its code in
// pigeonFormat, the page in pageFormat.
func browserCall(t *testing.T, pigeonOffers bool, pigeonFormat, pageFormat string) {
	browserCallWith(t, openPage(t), pigeonOffers, pigeonFormat, pageFormat)
}

// startForPage starts pigeon for a call with a page, as the caller when
// pigeonOffers, with no view and no speaker and the other flags in args.
// It writes its code to the FIFO toPage and reads the page's from the FIFO
// fromPage.
func startForPage(t *testing.T, pigeonOffers bool, args ...string) (pg *proc, toPage, fromPage string) {
	t.Helper()
	dir := t.TempDir()
	toPage, fromPage = mkfifo(t, filepath.Join(dir, "to-page")), mkfifo(t, filepath.Join(dir, "from-page"))
	verb := "answer"
	if pigeonOffers {
		verb = "call"
	}
	args = append([]string{verb, "--view", "none", "--speaker", "none", "--signal-out", toPage, "--signal-in", fromPage}, args...)
	return start(t, args...), toPage, fromPage
}

// exchangeCodes carries pigeon's code from the FIFO toPage into the page and
// the page's code into the FIFO fromPage, in the order of the call: the
// offer first. It returns both codes.
func exchangeCodes(t *testing.T, p *page, pigeonOffers bool, toPage, fromPage string) (pigeonCode, pageCode string) {
	t.Helper()
	readCode := func() string {
		b, err := os.ReadFile(toPage) // a FIFO: returns once pigeon has written its code
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	writeCode := func(code string) {
		if err := os.WriteFile(fromPage, []byte(code+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if pigeonOffers {
		pigeonCode = readCode()
		p.click("answer")
		p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
		p.paste(pigeonCode)
		pageCode = p.myCode()
		writeCode(pageCode)
	} else {
		p.click("start")
		pageCode = p.myCode()
		writeCode(pageCode)
		pigeonCode = readCode()
		p.paste(pigeonCode)
	}
	return pigeonCode, pageCode
}

// browserCallWith runs browserCall's call with the page p.
func browserCallWith(t *testing.T, p *page, pigeonOffers bool, pigeonFormat, pageFormat string) {
	rec := filepath.Join(t.TempDir(), "rec")
	pg, toPage, fromPage := startForPage(t, pigeonOffers, "--video", "test", "--audio", "test",
		"--format", pigeonFormat, "--record", rec)
	p.set("format", pageFormat)

	pigeonCode, pageCode := exchangeCodes(t, p, pigeonOffers, toPage, fromPage)
	t.Logf("pigeon's code: %.40s... (%d characters); the page's: %.40s... (%d characters)", pigeonCode, len(pigeonCode), pageCode, len(pageCode))
	if pigeonFormat == "compact" && !strings.HasPrefix(pigeonCode, "pg4") {
		t.Errorf("pigeon's code %.10q is not compact", pigeonCode)
	}
	// The answer names the offer, whoever writes it, and the caller checks
	// it: pigeon says nothing of an answer it cannot check, the page says
	// it checked.
	offerCode, answerCode := pigeonCode, pageCode
	if !pigeonOffers {
		offerCode, answerCode = pageCode, pigeonCode
	}
	offer, err := offline.Decode(offerCode)
	if err != nil {
		t.Fatalf("Go does not read the offer %.20q: %v", offerCode, err)
	}
	answer, err := offline.Decode(answerCode)
	if err != nil {
		t.Fatalf("Go does not read the answer %.20q: %v", answerCode, err)
	}
	if want := offline.OfferDigest(offer); !bytes.Equal(answer.AnswersTo, want) {
		t.Errorf("the answer names the offer %x, want %x", answer.AnswersTo, want)
	}
	if got := eval[string](p, `window.pigeon.state.offerDigest`); got != fmt.Sprintf("%x", offline.OfferDigest(offer)) {
		t.Errorf("the page's digest of the offer is %q, Go's %x", got, offline.OfferDigest(offer))
	}
	if !pigeonOffers {
		p.waitFor("pigeon's answer checked against the offer", `window.pigeon.state.answerChecked`)
	}
	// A browser's session is never pigeon's template: asked for a compact
	// code, the page writes the full form and says why.
	if pageFormat == "compact" || pageFormat == "auto" {
		if !strings.HasPrefix(pageCode, "pg1") {
			t.Errorf("the page wrote %.10q, want the full form", pageCode)
		}
		if note := eval[string](p, `document.getElementById("code-note").hidden ? "" : document.getElementById("code-note").textContent`); !strings.Contains(note, "full form") {
			t.Errorf("the page does not say it fell back to the full form (note %q)", note)
		}
	}

	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	if pigeonOffers && strings.Contains(pg.stderr.String(), "does not say which offer") {
		t.Errorf("pigeon could not check the page's answer:\n%s", pg.stderr)
	}

	fmt.Fprintln(pg.stdin, "hello from pigeon")
	p.chat("héllo ✓ from the browser")
	waitOutput(t, "pigeon's chat", pg.stdout, "héllo ✓ from the browser\n")
	p.waitFor("pigeon's chat message", `window.pigeon.state.received.includes("hello from pigeon")`)

	// Both sides show the same safety number.
	m := regexp.MustCompile(`safety number (\d{3} \d{3})`).FindStringSubmatch(pg.stderr.String())
	if m == nil {
		t.Errorf("pigeon showed no safety number:\n%s", pg.stderr)
	} else {
		p.waitFor("the safety number", `window.pigeon.state.safety`)
		if safety := eval[string](p, `window.pigeon.state.safety`); safety != m[1] {
			t.Errorf("the page's safety number is %q, pigeon's %q", safety, m[1])
		}
	}

	st := p.waitMedia()
	t.Logf("page received: %d video frames decoded (%dx%d), %d audio packets", st.VideoFrames, st.Width, st.Height, st.AudioPackets)
	p.screenshot(strings.ReplaceAll(t.Name(), "/", "-"))

	// Hang up from pigeon: the page hears the goodbye.
	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	p.waitFor("the hang-up", `window.pigeon.state.ended`)

	for _, line := range strings.Split(pg.stderr.String(), "\n") {
		if strings.HasPrefix(line, "pigeon: received ") {
			t.Log(line)
		}
	}
	frames := regexp.MustCompile(`received video VP8 \d+x\d+: (\d+) frames .*, (\d+) decoded`).FindStringSubmatch(pg.stderr.String())
	if frames == nil {
		t.Fatalf("pigeon decoded none of the browser's video:\n%s", pg.stderr)
	}
	if n, _ := strconv.Atoi(frames[1]); n < 10 {
		t.Errorf("pigeon received %d video frames from the browser, want at least 10", n)
	}
	if n, _ := strconv.Atoi(frames[2]); n < 5 {
		t.Errorf("pigeon decoded %d video frames from the browser, want at least 5", n)
	}
	ivf, err := mediatest.DecodeIVF(filepath.Join(rec, render.VideoFile))
	if err != nil {
		t.Errorf("pigeon's recording of the browser's video: %v", err)
	} else if ivf.Frames < 10 {
		t.Errorf("pigeon recorded %d decodable frames of the browser's video, want at least 10", ivf.Frames)
	}
	audio := regexp.MustCompile(`received audio opus: (\d+) packets`).FindStringSubmatch(pg.stderr.String())
	if audio == nil {
		t.Errorf("pigeon said nothing of the browser's audio:\n%s", pg.stderr)
	} else if n, _ := strconv.Atoi(audio[1]); n < 25 {
		t.Errorf("pigeon received %d audio packets from the browser, want at least 25", n)
	}
}

// TestBrowserWithoutCameraCallsPigeon: a page with no camera permission
// hides its addresses behind mDNS .local names, which pigeon resolves. It
// runs in a network of its own (inOwnNetwork), where the multicast of mDNS
// stays on this machine.
func TestBrowserWithoutCameraCallsPigeon(t *testing.T) {
	if !inOwnNetwork(t) {
		return
	}
	// pion says when it cannot resolve a name, which is what this checks.
	t.Setenv("PION_LOG_WARN", "ice")
	p := openPage(t, chromedp.Flag("use-fake-ui-for-media-stream", false), chromedp.Flag("allow-loopback-in-peer-connection", false))
	p.js(`navigator.mediaDevices.getUserMedia = () => Promise.reject(new Error("no camera here"))`)
	pg, toPage, fromPage := startForPage(t, false, "-v", "--video", "test", "--audio", "test", "--format", "full")
	p.click("start")
	offer := p.myCode()
	sdp := eval[string](p, `window.pigeon.decode(document.getElementById("my-code").value).then(d => d.sdp)`)
	if !strings.Contains(sdp, ".local ") {
		t.Skipf("Chromium showed its addresses without camera permission; no mDNS candidate to resolve:\n%s", sdp)
	}
	if err := os.WriteFile(fromPage, []byte(offer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	answer, err := os.ReadFile(toPage)
	if err != nil {
		t.Fatal(err)
	}
	p.paste(strings.TrimSpace(string(answer)))
	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	st := p.waitMedia()
	t.Logf("page received: %d video frames decoded, %d audio packets", st.VideoFrames, st.AudioPackets)
	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	if !strings.Contains(pg.stderr.String(), ".local:") || !strings.Contains(pg.stderr.String(), "(mDNS name)") {
		t.Errorf("pigeon did not say the offer points to an mDNS name:\n%s", pg.stderr)
	}
	for _, line := range strings.Split(pg.stderr.String(), "\n") {
		if strings.Contains(line, "path:") {
			t.Log(line)
		}
		// The call may connect through the address the browser's checks
		// come from, before the name is resolved: the name must resolve
		// all the same, for the calls where they do not get through. pion
		// says when it cannot, in -v's lines of the connectivity checks;
		// pigeon's own lines name the mDNS name the offer points to.
		if strings.HasPrefix(line, "pigeon: connectivity checks (ICE) ") && strings.Contains(line, "mDNS") {
			t.Errorf("pigeon did not resolve the browser's .local name: %s", line)
		}
	}
}

// inOwnNetwork runs the test again, alone, in a new network namespace
// with a veth pair and a default route (Chromium gathers no candidate
// without one), where multicast stays on this machine, and reports whether
// this is the run inside it. The run outside passes on the result.
func inOwnNetwork(t *testing.T) bool {
	t.Helper()
	return inNetwork(t, "ip route add default via 10.9.0.2 dev v0\n")
}

// inSealedNetwork runs the test again in a network namespace as
// inOwnNetwork does, with no route out of it: a program that sends
// anywhere but the veth pair's two addresses and loopback (pion's
// examples ask Google's STUN server) is told at once the network is
// unreachable.
func inSealedNetwork(t *testing.T) bool {
	t.Helper()
	return inNetwork(t, "")
}

// inNetwork runs the test again in a network namespace with a veth pair,
// and routes added by the shell lines of routes.
func inNetwork(t *testing.T, routes string) bool {
	t.Helper()
	if os.Getenv("PIGEON_E2E_OWN_NETWORK") == "1" {
		return true
	}
	testenv.RequireTools(t, "unshare", "ip")
	unshare, _ := exec.LookPath("unshare")
	setup := `set -e
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 10.9.0.1/24 dev v0
ip addr add 10.9.0.2/24 dev v1
ip link set v0 up
ip link set v1 up
` + routes + `exec "$@"`
	if out, err := exec.Command(unshare, "-rn", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot make a network namespace here (%v: %s)", err, bytes.TrimSpace(out))
	}
	cmd := exec.Command(unshare, "-rn", "sh", "-c", setup, "sh",
		os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "PIGEON_E2E_OWN_NETWORK=1")
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "    ") {
			t.Log(strings.TrimSpace(line))
		}
	}
	switch {
	case err != nil:
		t.Fatalf("in a network of its own: %v\n%s", err, out)
	case bytes.Contains(out, []byte("--- SKIP")):
		t.Skip("skipped in a network of its own")
	case !bytes.Contains(out, []byte("--- PASS")):
		t.Fatalf("in a network of its own, the test did not run:\n%s", out)
	}
	return false
}

// TestBrowserAnswersPigeon: pigeon calls, the page answers.
func TestBrowserAnswersPigeon(t *testing.T) { browserCall(t, true, "full", "full") }

// TestBrowserAnswersPigeonCompact: pigeon calls with a compact code, which
// the page rebuilds; the page answers in the full form.
func TestBrowserAnswersPigeonCompact(t *testing.T) { browserCall(t, true, "compact", "compact") }

// TestBrowserCallsPigeon: the page calls, pigeon answers.
func TestBrowserCallsPigeon(t *testing.T) { browserCall(t, false, "json", "json") }

// TestBrowserCallsPigeonAuto: the page calls, and each side picks its form.
func TestBrowserCallsPigeonAuto(t *testing.T) { browserCall(t, false, "auto", "auto") }
