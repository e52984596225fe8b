package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
	"github.com/pigeon-call/pigeon/web"
)

// TestPageToPage: two pages, in two tabs, call each other through pigeon's
// codes, chat both ways, decode each other's video and show the same
// safety number.
func TestPageToPage(t *testing.T) {
	caller := openPage(t)
	callee := caller.another()
	caller.click("start")
	offer := caller.myCode()
	callee.click("answer")
	callee.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	callee.paste(offer)
	answer := callee.myCode()
	t.Logf("offer %d characters, answer %d", len(offer), len(answer))
	signals := map[string]offline.Signal{}
	for _, code := range []string{offer, answer} {
		if !strings.HasPrefix(code, "pg1") {
			t.Errorf("code %.10q: want the full form, which a browser's session needs", code)
		}
		s, err := offline.Decode(code)
		if err != nil {
			t.Fatalf("pigeon cannot read the page's code %.20q: %v", code, err)
		}
		signals[s.Kind.String()] = s
	}
	// The answer names the offer as pigeon would, and both pages hash the
	// offer alike.
	digest := offline.OfferDigest(signals["offer"])
	if err := offline.CheckAnswer(signals["offer"], signals["answer"]); err != nil || signals["answer"].AnswersTo == nil {
		t.Errorf("the page's answer names the offer %x, want %x (%v)", signals["answer"].AnswersTo, digest, err)
	}
	for _, p := range []*page{caller, callee} {
		if got := eval[string](p, `window.pigeon.state.offerDigest`); got != fmt.Sprintf("%x", digest) {
			t.Errorf("a page's digest of the offer is %q, pigeon's %x", got, digest)
		}
	}

	// An answer that names another offer is refused, with a word of what
	// to do, and the right one is still taken.
	other := signals["answer"]
	other.AnswersTo = []byte{digest[0] ^ 0xff, digest[1], digest[2], digest[3]}
	wrong, err := offline.EncodeAs(other, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	caller.paste(wrong)
	caller.waitFor("the refusal", `document.getElementById("error").textContent`)
	if msg := eval[string](caller, `document.getElementById("error").textContent`); !strings.Contains(msg, "another offer") ||
		!strings.Contains(msg, "ask the other side") {
		t.Errorf("the page's word on an answer to another offer is %q", msg)
	}
	if eval[bool](caller, `document.getElementById("use").disabled`) {
		t.Errorf("the page used an answer made for another offer")
	}
	caller.paste(answer)
	caller.waitFor("the answer checked against the offer", `window.pigeon.state.answerChecked`)
	pageCall(t, caller, callee)
}

// TestPageScansPage: a page scans the other page's QR code, a full code
// of a browser's session (a large symbol), from its camera.
func TestPageScansPage(t *testing.T) {
	caller := openPage(t)
	caller.click("start")
	offer := caller.myCode()
	pictures, shown := caller.qrCycle()
	want := eval[string](caller, `window.pigeon.codes.qrText(document.getElementById("my-code").value)`)
	if shown != want {
		t.Fatalf("the page's QR codes hold %.30q (%d characters), want its code's QR text %.30q (%d)", shown, len(shown), want, len(want))
	}
	t.Logf("the page shows its code of %d characters as %d QR codes", len(offer), len(pictures))
	if len(pictures) < 2 {
		t.Errorf("a browser's offer of %d characters is shown as one QR code, want a cycle of smaller ones", len(offer))
	}
	callee := openPage(t, chromedp.Flag("use-file-for-fake-video-capture", qrVideo(t, pictures...)))
	callee.js(`delete window.BarcodeDetector`)
	callee.click("answer")
	callee.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	callee.click("scan")
	callee.waitFor("the QR code scanned", `window.pigeon.state.scanned`)
	scanned := eval[string](callee, `window.pigeon.state.scanned`)
	if scanned != want {
		t.Fatalf("the page scanned %.30q (%d characters), want %.30q (%d)", scanned, len(scanned), want, len(want))
	}
	t.Logf("scanned the other page's QR codes: %d characters (its code has %d)", len(scanned), len(offer))
	caller.paste(callee.myCode())
	pageCall(t, caller, callee)
}

// pageCall checks a call between two pages that have used each other's
// codes: chat both ways, the same safety number, media both ways.
func pageCall(t *testing.T, caller, callee *page) {
	t.Helper()
	for _, p := range []*page{caller, callee} {
		p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	}
	caller.chat("hello from the caller")
	callee.chat("hello from the callee")
	callee.waitFor("the caller's message", `window.pigeon.state.received.includes("hello from the caller")`)
	caller.waitFor("the callee's message", `window.pigeon.state.received.includes("hello from the callee")`)

	caller.waitFor("the safety number", `window.pigeon.state.safety`)
	callee.waitFor("the safety number", `window.pigeon.state.safety`)
	if a, b := eval[string](caller, `window.pigeon.state.safety`), eval[string](callee, `window.pigeon.state.safety`); a != b {
		t.Errorf("safety numbers differ: %q and %q", a, b)
	}
	for name, p := range map[string]*page{"caller": caller, "callee": callee} {
		st := p.waitMedia()
		t.Logf("%s: %d video frames decoded (%dx%d), %d audio packets", name, st.VideoFrames, st.Width, st.Height, st.AudioPackets)
	}
	caller.screenshot(t.Name() + "-caller")

	caller.click("hangup")
	callee.waitFor("the hang-up", `window.pigeon.state.ended`)
}

// qrPNG returns the page's QR code as it draws it, 6 pixels a module.
func (p *page) qrPNG() []byte { return p.qrPNGs(6)[0] }

// qrPNGs returns the QR code the page shows at one moment, at each of these
// sizes in pixels a module.
func (p *page) qrPNGs(scales ...int) [][]byte {
	p.t.Helper()
	urls := eval[[]string](p, fmt.Sprintf(`%s.map((scale) => {
		const src = document.getElementById("my-qr"), big = document.createElement("canvas");
		big.width = big.height = src.width * scale;
		const g = big.getContext("2d");
		g.imageSmoothingEnabled = false;
		g.drawImage(src, 0, 0, big.width, big.height);
		return big.toDataURL("image/png");
	})`, mustJSON(p.t, scales)))
	var out [][]byte
	for _, u := range urls {
		png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u, "data:image/png;base64,"))
		if err != nil {
			p.t.Fatal(err)
		}
		out = append(out, png)
	}
	return out
}

// pigeonQR returns text as pigeon draws its QR code (offline.WriteQRPNG).
func pigeonQR(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := offline.WriteQRPNG(&b, text, 8); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// qrVideo writes a video file for Chromium's fake camera that shows the
// pictures of QR codes one after the other, half a second each, scaled to
// fit a white 640×480 frame; the camera plays it in a loop.
func qrVideo(t *testing.T, pictures ...[]byte) string {
	t.Helper()
	ffmpeg := testenv.LookPath(t, "ffmpeg")
	dir := t.TempDir()
	for i, pic := range pictures {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("qr-%03d.png", i)), pic, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	y4m := filepath.Join(dir, "qr.y4m")
	out, err := exec.Command(ffmpeg, "-loglevel", "error", "-framerate", "2", "-i", filepath.Join(dir, "qr-%03d.png"),
		"-vf", "scale=w=460:h=460:flags=neighbor,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
		"-r", "10", y4m).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return y4m
}

// qrCycle reads the page's QR codes as a camera would, with pigeon's
// decoder, until it has every part of its code (or the one QR code of a
// short one). It returns the pictures of the parts in order, and the text
// they make together.
func (p *page) qrCycle() (pictures [][]byte, whole string) {
	p.t.Helper()
	var parts scan.Assembler
	byIndex := map[int][]byte{}
	deadline := time.Now().Add(30 * time.Second)
	read := func(png []byte) (scan.Symbol, error) {
		img, err := scan.ReadImage(bytes.NewReader(png))
		if err != nil {
			p.t.Fatal(err)
		}
		return scan.Decode(img)
	}
	for time.Now().Before(deadline) {
		pngs := p.qrPNGs(6, 2)
		png := pngs[0]
		sym, err := read(png)
		if err != nil {
			// gozxing's detector misses the odd clean symbol at one size
			// and finds it at another, as a camera's distance changes it:
			// the same picture, smaller, before calling it unreadable.
			sym, err = read(pngs[1])
		}
		if err != nil {
			dir := os.Getenv("PIGEON_TEST_PICTURES")
			if dir == "" {
				dir = p.t.TempDir()
			}
			path := filepath.Join(dir, "unreadable-qr.png")
			if werr := os.WriteFile(path, png, 0o644); werr != nil {
				p.t.Log(werr)
			}
			p.t.Fatalf("pigeon cannot read the page's QR code (in %s): %v", path, err)
		}
		if part, err := scan.ParsePart(sym.Text); err == nil {
			byIndex[part.Index] = png
		} else {
			byIndex[1] = png
		}
		if text, done := parts.Add(sym.Text); done {
			for i := 1; i <= len(byIndex); i++ {
				pictures = append(pictures, byIndex[i])
			}
			return pictures, text
		}
		time.Sleep(150 * time.Millisecond)
	}
	p.t.Fatalf("the page's QR codes never made a whole code")
	return nil, ""
}

// TestPageScansPigeonsQRCode: pigeon calls with a compact code; the page,
// whose camera shows pigeon's QR code, scans it with its bundled decoder,
// answers, and the call comes up. The page's own QR code reads back as its
// code.
func TestPageScansPigeonsQRCode(t *testing.T) {
	pg, toPage, fromPage := startForPage(t, true, "--video", "test", "--audio", "test", "--format", "compact")
	b, err := os.ReadFile(toPage)
	if err != nil {
		t.Fatal(err)
	}
	offer := strings.TrimSpace(string(b))

	p := openPage(t, chromedp.Flag("use-file-for-fake-video-capture", qrVideo(t, pigeonQR(t, offer))))
	// Chromium on Linux has no BarcodeDetector; take it away wherever it
	// has one, so that the bundled decoder is what is tested.
	p.js(`delete window.BarcodeDetector`)
	p.click("answer")
	p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	p.click("scan")
	p.waitFor("the QR code scanned", `window.pigeon.state.scanned`)
	if scanned := eval[string](p, `window.pigeon.state.scanned`); scanned != offline.QRText(offer) {
		t.Errorf("the page scanned %q, want %q", scanned, offline.QRText(offer))
	}
	answer := p.myCode()

	// The page's QR codes, as it shows them, hold its code: pigeon could
	// scan it back.
	pictures, shown := p.qrCycle()
	fromQR, err1 := offline.Decode(shown)
	fromText, err2 := offline.Decode(answer)
	if err1 != nil || err2 != nil || fromQR.SDP != fromText.SDP {
		t.Errorf("the page's QR codes hold %.30q (%v), not its code %.30q (%v)", shown, err1, answer, err2)
	}
	t.Logf("the page's %d QR codes hold %d characters, its code %d", len(pictures), len(shown), len(answer))
	if err := os.WriteFile(fromPage, []byte(answer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	fmt.Fprintln(pg.stdin, "scanned")
	p.waitFor("pigeon's message", `window.pigeon.state.received.includes("scanned")`)
	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
}

// TestPageFromFile: the page written by 'pigeon web --out' works opened
// from disk: Chromium takes file:// for a secure context, so the page gets
// the camera (the person is asked, as on https) and calls pigeon.
func TestPageFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.html")
	if code := start(t, "web", "--out", path).exit(t, 10*time.Second); code != 0 {
		t.Fatalf("pigeon web --out: exit code %d", code)
	}
	p := openPageAt(t, "file://"+path)
	if !eval[bool](p, `window.isSecureContext`) {
		t.Error("a page opened from a file is not a secure context: it gets no camera")
	}
	browserCallWith(t, p, false, "auto", "auto")
}

// TestPageOverTLS: 'pigeon web --tls' serves the page over https, where a
// browser that accepted the certificate gives it the camera, as it would
// on another device of the LAN.
func TestPageOverTLS(t *testing.T) {
	srv := start(t, "web", "--tls", "--listen", "127.0.0.1:0", "--tls-cert", filepath.Join(t.TempDir(), "web-tls.pem"))
	waitOutput(t, "pigeon web", srv.stdout, "\n")
	url := strings.TrimSpace(strings.SplitN(srv.stdout.String(), "\n", 2)[0])
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("pigeon web --tls printed %q, want an https URL", url)
	}
	waitOutput(t, "pigeon web", srv.stderr, "fingerprint")
	// The person passes the browser's warning, having checked the
	// fingerprint: here, the browser is told to.
	p := openPageAt(t, url, chromedp.Flag("ignore-certificate-errors", true))
	if !eval[bool](p, `window.isSecureContext`) {
		t.Error("the page over https is not a secure context")
	}
	p.click("start")
	p.myCode()
	if n := eval[int](p, `document.getElementById("self").srcObject.getVideoTracks().length`); n != 1 {
		t.Errorf("the page over https has %d camera tracks, want 1", n)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon web exit code %d after SIGTERM, want 0", code)
	}
}

// TestPageOverPlainHTTPOnTheLAN: served over plain http at a name other
// than localhost, as a phone on the LAN sees it, the page gets no camera,
// says why, and still answers pigeon's compact code and receives its call.
func TestPageOverPlainHTTPOnTheLAN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: web.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	// The name leads to loopback, but only localhost and loopback
	// addresses are secure contexts: to Chromium this is any LAN address.
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p := openPageAt(t, "http://pigeon.test:"+port+"/", chromedp.Flag("host-resolver-rules", "MAP pigeon.test 127.0.0.1"))
	if eval[bool](p, `window.isSecureContext`) {
		t.Fatal("the page at http://pigeon.test is a secure context: the test is wrong")
	}

	pg, toPage, fromPage := startForPage(t, true, "--video", "test", "--audio", "test")
	b, err := os.ReadFile(toPage)
	if err != nil {
		t.Fatal(err)
	}
	p.click("answer")
	p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	if note := eval[string](p, `document.getElementById("log").textContent`); !strings.Contains(note, "https") {
		t.Errorf("the page does not say why it has no camera: %q", note)
	}
	p.click("scan")
	p.waitFor("the scanner's refusal", `document.getElementById("error").textContent`)
	if msg := eval[string](p, `document.getElementById("error").textContent`); !strings.Contains(msg, "paste") {
		t.Errorf("the page's word on scanning without a camera is %q, want it to say to paste", msg)
	}
	// No secure context, no Web Crypto: the page hashes the offer in plain
	// JavaScript, and its answer names the offer all the same.
	if eval[bool](p, `!!(window.crypto && crypto.subtle)`) {
		t.Errorf("the page at http://pigeon.test has crypto.subtle: the test does not test the page without it")
	}
	p.paste(strings.TrimSpace(string(b)))
	answerCode := p.myCode()
	offer, err1 := offline.Decode(string(b))
	answer, err2 := offline.Decode(answerCode)
	if err1 != nil || err2 != nil {
		t.Fatalf("Go does not read the codes: %v, %v", err1, err2)
	}
	if err := offline.CheckAnswer(offer, answer); err != nil || answer.AnswersTo == nil {
		t.Errorf("the page's answer names the offer %x, want %x (%v)", answer.AnswersTo, offline.OfferDigest(offer), err)
	}
	if err := os.WriteFile(fromPage, []byte(answerCode+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	if strings.Contains(pg.stderr.String(), "does not say which offer") {
		t.Errorf("pigeon could not check the page's answer:\n%s", pg.stderr)
	}
	p.chat("no camera here")
	waitOutput(t, "pigeon's chat", pg.stdout, "no camera here\n")
	st := p.waitMedia()
	t.Logf("page without a camera received %d video frames decoded, %d audio packets", st.VideoFrames, st.AudioPackets)

	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
}

// TestPageUsesBarcodeDetector: where the browser has a BarcodeDetector
// that reads QR codes, the page scans with it rather than its own decoder.
// Chromium on Linux has none, so the test gives the page one that finds
// pigeon's offer in the camera's picture.
func TestPageUsesBarcodeDetector(t *testing.T) {
	offer := pigeonSessions(t)[0]
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: offer.SDP}, offline.FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	p := openPage(t)
	p.js(fmt.Sprintf(`window.detected = 0;
		window.jsQR = () => { throw new Error("the bundled decoder was used"); };
		window.BarcodeDetector = class {
			static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
			constructor(opts) { if (!opts.formats.includes("qr_code")) throw new Error("no qr_code asked for"); }
			async detect(video) {
				if (!(video instanceof HTMLVideoElement)) throw new Error("not the camera's video");
				window.detected++;
				return [{ rawValue: %q, format: "qr_code" }];
			}
		};`, offline.QRText(code)))
	p.click("answer")
	p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	p.click("scan")
	p.myCode()
	if n := eval[int](p, `window.detected`); n < 1 {
		t.Errorf("the BarcodeDetector was asked %d times", n)
	}
	if scanned := eval[string](p, `window.pigeon.state.scanned`); scanned != offline.QRText(code) {
		t.Errorf("the page scanned %q, want %q", scanned, offline.QRText(code))
	}
	if errText := eval[string](p, `document.getElementById("error").textContent`); errText != "" {
		t.Errorf("the page says %q", errText)
	}
}

// TestPageWarnsOfAnOldOffer: a compact offer made long ago, which pigeon
// refuses past --max-age, gets a warning from the page.
func TestPageWarnsOfAnOldOffer(t *testing.T) {
	offer := pigeonSessions(t)[0]
	first := openPage(t)
	for i, age := range []time.Duration{time.Minute, 25 * time.Minute} {
		p := first
		if i > 0 {
			p = first.another()
		}
		code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: offer.SDP, Created: time.Now().Add(-age)}, offline.FormatCompact)
		if err != nil {
			t.Fatal(err)
		}
		p.click("answer")
		p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
		p.paste(code)
		p.myCode()
		warned := strings.Contains(eval[string](p, `document.getElementById("log").textContent`), "minutes ago")
		if old := age > offline.DefaultMaxAge; warned != old {
			t.Errorf("an offer made %v ago: warned %v, want %v", age, warned, old)
		}
	}
}

// TestPageTakesAnAnswerThatNamesNoOffer: an answer that names no offer (a
// browser page's other than pigeon's, or an older pigeon's) is taken with a
// word that it cannot be checked, as pigeon takes one.
func TestPageTakesAnAnswerThatNamesNoOffer(t *testing.T) {
	caller := openPage(t)
	callee := caller.another()
	caller.click("start")
	offer := caller.myCode()
	callee.click("answer")
	callee.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	callee.paste(offer)
	answer, err := offline.Decode(callee.myCode())
	if err != nil || answer.AnswersTo == nil {
		t.Fatalf("the page's answer: %v, naming %x", err, answer.AnswersTo)
	}
	answer.AnswersTo = nil
	bare, err := offline.EncodeAs(answer, offline.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	caller.paste(bare)
	caller.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	if note := eval[string](caller, `document.getElementById("log").textContent`); !strings.Contains(note, "does not say which offer") {
		t.Errorf("the page took an answer that names no offer without a word (log %q)", note)
	}
	if eval[bool](caller, `window.pigeon.state.answerChecked`) {
		t.Errorf("the page says it checked an answer that names no offer")
	}
}
