package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
)

// TestAnswerScansTheOfferPicture: the callee reads the caller's offer from
// the PNG picture of its QR code (--qr-png), not from a paste, and the call
// comes up.
func TestAnswerScansTheOfferPicture(t *testing.T) {
	dir := t.TempDir()
	picture, offer, answer := filepath.Join(dir, "offer.png"), filepath.Join(dir, "offer.txt"), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--video", "test", "--audio", "none", "--view", "none", "--interface", "lo"}
	caller := start(t, append([]string{"call", "--qr-png", picture, "--signal-out", offer, "--signal-in", answer}, common...)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")

	callee := start(t, append([]string{"answer", "--scan-image", picture, "--signal-out", answer, "-v"}, common...)...)
	waitOutput(t, "callee", callee.stderr, "read the peer's offer")
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	caller.stdin.Close()
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d, want 0", code)
	}
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
}

// TestHandshakeByCamera: a call whose two codes go only through QR codes
// read by camera. Each side's camera is a picture source (--video
// image:FILE) showing the PNG of the other side's QR code (--qr-png): the
// callee's shows the offer, the caller's the answer, which the callee
// writes once it has scanned the offer. Nothing is pasted, and the call
// comes up: a chat message crosses it. With --format full each code is too
// long for one QR code: the files show their numbered parts in turn, and
// each scanner puts them back together in whatever order it reads them.
func TestHandshakeByCamera(t *testing.T) {
	for _, format := range []string{"compact", "full"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			offer, answer := filepath.Join(dir, "offer.png"), filepath.Join(dir, "answer.png")
			common := []string{"--scan", "--format", format, "--audio", "none", "--view", "none", "--interface", "lo"}
			caller := start(t, append([]string{"call", "--video", "image:" + answer, "--qr-png", offer}, common...)...)
			waitOutput(t, "caller", caller.stderr, "written to")
			callee := start(t, append([]string{"answer", "--video", "image:" + offer, "--qr-png", answer}, common...)...)

			// A code in parts is read as its QR codes come round, one a
			// second: a part missed on a busy machine comes back a cycle
			// later.
			waitOutputWithin(t, time.Minute, "callee", callee.stderr, "pigeon: read the peer's offer from the camera")
			waitOutputWithin(t, time.Minute, "caller", caller.stderr, "pigeon: read the peer's answer from the camera")
			waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
			waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
			fmt.Fprintln(caller.stdin, "hello by camera")
			waitOutput(t, "callee's chat", callee.stdout, "hello by camera\n")

			if format == "full" {
				for _, p := range []*proc{caller, callee} {
					if !strings.Contains(p.stderr.String(), "QR codes of the peer's") {
						t.Errorf("%s read no code in parts:\n%s", p.cmd.Args[1], p.stderr)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "offer-2.png")); err != nil {
					t.Errorf("no numbered QR code files: %v", err)
				}
			}
			caller.stdin.Close()
			if code := callee.exit(t, 10*time.Second); code != 0 {
				t.Errorf("callee exit code %d, want 0", code)
			}
			if code := caller.exit(t, 10*time.Second); code != 0 {
				t.Errorf("caller exit code %d, want 0", code)
			}
		})
	}
}

// TestBadScanImages: a picture with no code, the wrong kind of code, or no
// picture at all, each stops pigeon with a line that says so.
func TestBadScanImages(t *testing.T) {
	dir := t.TempDir()
	answerCode, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	wrongKind := filepath.Join(dir, "answer.png")
	f, err := os.Create(wrongKind)
	if err != nil {
		t.Fatal(err)
	}
	if err := offline.WriteQRPNG(f, answerCode, 4); err != nil {
		t.Fatal(err)
	}
	f.Close()
	blank := filepath.Join(dir, "blank.png")
	f, err = os.Create(blank)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 100, 100))); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name, picture string
		code          int
		want          string
	}{
		{"no code in the picture", blank, 2, "no QR code found in the picture"},
		{"an answer where an offer belongs", wrongKind, 2, "this is an answer, but an offer was expected"},
		{"no such file", filepath.Join(dir, "missing.png"), 2, "missing.png: no such file or directory: check the path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, "answer", "--video", "none", "--audio", "none", "--scan-image", tt.picture, "--signal-out", filepath.Join(dir, "out"))
			if code := p.exit(t, 10*time.Second); code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.code, p.stderr)
			}
			last := lastLine(p.stderr.String())
			if !strings.HasPrefix(last, "pigeon: ") || !strings.Contains(last, tt.want) {
				t.Errorf("last line %q, want a pigeon: line saying %q", last, tt.want)
			}
		})
	}
}

// TestScanWithoutCamera: --scan with the test picture as video needs a
// camera of its own; on a machine with none, pigeon says what to do
// instead, with exit code 3. --scan with another way in is a usage error.
func TestScanWithoutCamera(t *testing.T) {
	for _, d := range capture.Devices() {
		if d.Kind == capture.Camera && d.Ready {
			t.Skip("this machine has a camera")
		}
	}
	p := start(t, "answer", "--scan", "--video", "test", "--audio", "none", "--view", "none")
	if code := p.exit(t, 10*time.Second); code != 3 {
		t.Fatalf("exit code %d, want 3; stderr:\n%s", code, p.stderr)
	}
	if last := lastLine(p.stderr.String()); !strings.Contains(last, "leave out --scan and paste the code") {
		t.Errorf("last line %q does not say what to do", last)
	}

	p = start(t, "call", "--scan", "--signal-in", "answer.txt")
	if code := p.exit(t, 10*time.Second); code != 2 || !strings.Contains(p.stderr.String(), "leave out --scan-image and --signal-in") {
		t.Errorf("--scan with --signal-in: exit code %d, stderr %q", code, p.stderr)
	}
}

// TestScanPreviewInWindow: while the caller scans, its window shows its
// offer's QR code, readable from a screenshot, beside what its camera sees,
// with the outline of the code found there drawn over it. The camera shows
// another offer's QR code, which is read but is of the wrong kind, so the
// scan goes on and the status line says why.
func TestScanPreviewInWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	display := mediatest.StartXvfb(t, 1024, 768)
	dir := t.TempDir()
	otherOffer := filepath.Join(dir, "other.png")
	code, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(otherOffer)
	if err != nil {
		t.Fatal(err)
	}
	if err := offline.WriteQRPNG(f, code, 8); err != nil {
		t.Fatal(err)
	}
	f.Close()

	t.Setenv("DISPLAY", display)
	caller := start(t, "call", "--scan", "--video", "image:"+otherOffer, "--audio", "none",
		"--view", "window", "--interface", "lo", "--signal-out", filepath.Join(dir, "offer.txt"))
	waitOutput(t, "caller", caller.stderr, "this QR code holds an offer, not an answer")
	offer, err := os.ReadFile(filepath.Join(dir, "offer.txt"))
	if err != nil {
		t.Fatal(err)
	}

	// The window draws at the camera's pace: a moment is enough.
	var shot image.Image
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(300 * time.Millisecond)
		if shot, err = mediatest.Screenshot(display, 1024, 768); err != nil {
			t.Fatal(err)
		}
		if green(shot) > 50 || time.Now().After(deadline) {
			break
		}
	}
	if n := green(shot); n <= 50 {
		mediatest.SavePNG(t, "scan-window.png", shot)
		t.Fatalf("%d pixels of the outline's green in the window", n)
	}
	symbols, err := scan.DecodeAll(shot)
	if err != nil {
		mediatest.SavePNG(t, "scan-window.png", shot)
		t.Fatalf("no QR code in the window: %v", err)
	}
	texts := []string{}
	for _, s := range symbols {
		texts = append(texts, s.Text)
	}
	if !slices.Contains(texts, offline.QRText(strings.TrimSpace(string(offer)))) {
		t.Errorf("the window's QR codes %q are not the offer %q", texts, offer)
	}
	if t.Failed() || os.Getenv("PIGEON_TEST_PICTURES") != "" {
		mediatest.SavePNG(t, "scan-window.png", shot)
	}
}

// green counts the pixels of shot in the colour of a read code's outline.
func green(shot image.Image) int {
	n := 0
	b := shot.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := shot.At(x, y).RGBA()
			if g>>8 > 180 && r>>8 < 100 && bl>>8 < 120 {
				n++
			}
		}
	}
	return n
}

// TestScanOnTheTerminal: the caller runs on a terminal (tmux) with its
// peer's video to go there. While it scans, its offer's QR code and its
// camera's preview are drawn side by side, in place, with a status line;
// the QR code read off the screen's text is the offer. Then the callee
// scans the offer's picture and shows its answer to the caller's camera,
// and the status line says the answer was read.
func TestScanOnTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts tmux")
	}
	mediatest.RequireTools(t, "tmux")
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	offer, answer := filepath.Join(dir, "offer.png"), filepath.Join(dir, "answer.png")
	caller := fmt.Sprintf("%s call --scan --video image:%s --audio none --view terminal --interface lo --qr-png %s --duration 5s; sleep 30",
		pigeonBin, answer, offer)
	tmux("new-session", "-d", "-x", "120", "-y", "45", caller)
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()

	waitPane := func(want string, history ...string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			screen := tmux(append([]string{"capture-pane", "-p"}, history...)...)
			if strings.Contains(screen, want) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q never on the terminal:\n%s", want, screen)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// What the pane is sent, raw, shows each drawing of the status line.
	drawn := filepath.Join(dir, "drawn")
	tmux("pipe-pane", "-o", "cat >> "+drawn)
	status := "scanning: hold the peer's answer QR code up to the camera"
	waitPane(status)
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw, _ := os.ReadFile(drawn)
		if bytes.Count(raw, []byte(status)) >= 3 { // a few drawings in place
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the status line was drawn %d times, want a few", bytes.Count(raw, []byte(status)))
		}
		time.Sleep(100 * time.Millisecond)
	}
	screen := tmux("capture-pane", "-p")
	if n := strings.Count(screen, "scanning: hold"); n != 1 {
		t.Errorf("the status line is on the screen %d times, want once (drawn in place):\n%s", n, screen)
	}
	code, preview := readTerminalQR(screen)
	if code == nil {
		t.Fatalf("no QR code on the terminal:\n%s", screen)
	}
	sym, err := scan.Decode(code)
	if err != nil {
		t.Fatalf("the terminal's QR code does not read: %v\n%s", err, screen)
	}
	if !strings.HasPrefix(sym.Text, "PG4O.") {
		t.Errorf("the terminal's QR code holds %q, want the offer", sym.Text)
	}
	if !preview {
		t.Errorf("no preview beside the QR code:\n%s", screen)
	}

	callee := start(t, "answer", "--scan", "--video", "image:"+offer, "--audio", "none", "--view", "none",
		"--interface", "lo", "--qr-png", answer, "--duration", "5s")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
	// In the pane's history too: the peer's first picture, drawn where the
	// terminal's lines were, may come before the pane is looked at.
	waitPane("read the peer's answer from the camera", "-S", "-")
	if code := callee.exit(t, 15*time.Second); code != 0 {
		t.Errorf("callee exit code %d", code)
	}
}

// readTerminalQR turns the rows of half blocks on a captured screen into a
// picture of the QR code they draw, 4 pixels a module, and tells whether a
// picture was drawn beside it: from the column where the first row (the
// code's quiet zone, blank) has one.
func readTerminalQR(screen string) (img *image.Gray, preview bool) {
	var rows [][]rune
	for _, line := range strings.Split(screen, "\n") {
		if strings.ContainsAny(line, "█▀▄") {
			rows = append(rows, []rune(line))
		} else if len(rows) > 0 {
			break // the block's rows are together
		}
	}
	if len(rows) < 10 {
		return nil, false
	}
	end := slices.Index(rows[0], '▀')
	preview = end > 0
	width := 0
	for i, r := range rows {
		if preview {
			rows[i] = r[:min(end, len(r))]
		}
		width = max(width, len(rows[i]))
	}
	const px = 4
	img = image.NewGray(image.Rect(0, 0, (width+8)*px, (2*len(rows)+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	ink := func(col, row int) {
		for y := range px {
			for x := range px {
				img.SetGray((col+4)*px+x, (row+4)*px+y, color.Gray{0})
			}
		}
	}
	for y, r := range rows {
		for x, c := range r {
			switch c {
			case '█':
				ink(x, 2*y)
				ink(x, 2*y+1)
			case '▀':
				ink(x, 2*y)
			case '▄':
				ink(x, 2*y+1)
			}
		}
	}
	return img, preview
}
