package termview

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/render/picture"
)

// testFrame is a frame of the test picture that pigeon sends: the 17th,
// whose moving stripe is clear of the middle of every bar.
func testFrame(t testing.TB, width, height int) *image.YCbCr {
	t.Helper()
	src := capture.NewTestVideo(width, height, 1000)
	defer src.Close()
	var img image.Image
	for range 17 {
		var err error
		if img, _, err = src.Read(); err != nil {
			t.Fatal(err)
		}
	}
	// The source reuses its frames: keep a copy.
	ycc := img.(*image.YCbCr)
	c := *ycc
	c.Y, c.Cb, c.Cr = bytes.Clone(ycc.Y), bytes.Clone(ycc.Cb), bytes.Clone(ycc.Cr)
	return &c
}

// barColours are the test picture's seven bars as RGB, left to right.
func barColours(t testing.TB) [][3]uint8 {
	// Below the time stamp the test picture carries along its top.
	img := testFrame(t, 140, 40)
	var bars [][3]uint8
	for i := range 7 {
		c := picture.Color(img, i*20+10, 30)
		bars = append(bars, [3]uint8{c.R, c.G, c.B})
	}
	return bars
}

func newVT(t testing.TB, cols, rows int) *mediatest.Terminal {
	t.Helper()
	return mediatest.NewTerminal(cols, rows)
}

func write(t testing.TB, term *mediatest.Terminal, s string) {
	t.Helper()
	if err := term.Write(s); err != nil {
		t.Fatal(err)
	}
}

func close3(a, b [3]uint8, tol int) bool {
	for i := range a {
		if d := int(a[i]) - int(b[i]); d > tol || d < -tol {
			return false
		}
	}
	return true
}

// checkBars asserts that row shows the seven bars in order across the
// picture, whose columns are [x0, x1).
func checkBars(t *testing.T, row [][3]uint8, x0, x1 int, bars [][3]uint8) {
	t.Helper()
	w := x1 - x0
	for i, want := range bars {
		x := x0 + (2*i+1)*w/14 // the middle of bar i
		if !close3(row[x], want, 12) {
			t.Errorf("bar %d at column %d is %v, want %v", i, x, row[x], want)
		}
	}
}

func TestDrawShowsTheTestPatternKeepingItsAspect(t *testing.T) {
	var buf bytes.Buffer
	var s Screen
	img := testFrame(t, 640, 480)
	s.Draw(&buf, Frame{Cols: 80, Rows: 24, Reserve: 4, Remote: img, Status: "peer connected"})
	term := newVT(t, 80, 24)
	write(t, term, buf.String())

	// 19 picture rows are 38 pixels high; 4:3 makes that 50 wide, centred.
	bars := barColours(t)
	checkBars(t, term.Top[10], 15, 65, bars)
	for _, x := range []int{0, 14, 65, 79} {
		if term.Top[10][x] != ([3]uint8{}) {
			t.Errorf("column %d is %v, want the black of the letterbox", x, term.Top[10][x])
		}
	}
	if got := strings.TrimSpace(term.Text[19]); got != "peer connected" {
		t.Errorf("status row %q, want %q", got, "peer connected")
	}
	if term.RegionTop != 21 || term.RegionBottom != 24 {
		t.Errorf("the caller's region is rows %d-%d, want 21-24", term.RegionTop, term.RegionBottom)
	}
	if term.Row != 24 || term.Col != 1 {
		t.Errorf("cursor at %d,%d, want 24,1: the caller's next line goes at the bottom", term.Row, term.Col)
	}

	// The same picture again sends no cells.
	buf.Reset()
	s.Draw(&buf, Frame{Cols: 80, Rows: 24, Reserve: 4, Remote: img, Status: "peer connected"})
	if strings.Contains(buf.String(), "▀") {
		t.Errorf("an unchanged picture sent %d bytes of cells", buf.Len())
	}

	// Restoring gives the whole screen back and erases the picture.
	buf.Reset()
	s.Restore(&buf)
	write(t, term, buf.String())
	if term.RegionTop != 1 || term.RegionBottom != 24 {
		t.Errorf("after Restore the region is %d-%d, want the whole screen", term.RegionTop, term.RegionBottom)
	}
	if term.Top[10][40] != ([3]uint8{}) || strings.TrimSpace(term.Text[19]) != "" {
		t.Error("the picture or the status is still on the screen after Restore")
	}
	if term.Row != 24 || term.Col != 1 {
		t.Errorf("cursor at %d,%d after Restore, want where the caller had it (24,1)", term.Row, term.Col)
	}
}

func TestDrawShowsTheSelfViewInTheCorner(t *testing.T) {
	var buf bytes.Buffer
	var s Screen
	remote := image.NewYCbCr(image.Rect(0, 0, 320, 240), image.YCbCrSubsampleRatio420)
	for i := range remote.Y {
		remote.Y[i] = 16 // black
	}
	for i := range remote.Cb {
		remote.Cb[i], remote.Cr[i] = 128, 128
	}
	s.Draw(&buf, Frame{Cols: 64, Rows: 30, Reserve: 5, Remote: remote, Local: testFrame(t, 160, 120)})
	term := newVT(t, 64, 30)
	write(t, term, buf.String())
	// 24 rows = 48 pixels; the corner is the last quarter: x 48-63, y 36-47.
	lit := 0
	for y := 18; y < 24; y++ {
		for x := 48; x < 64; x++ {
			if term.Top[y][x] != ([3]uint8{}) {
				lit++
			}
		}
	}
	if lit < 30 {
		t.Errorf("only %d cells of the bottom right corner show the self-view", lit)
	}
	if term.Top[5][10] != ([3]uint8{}) {
		t.Error("the self-view spilled out of its corner")
	}
}

func TestTooSmallATerminalDrawsNothing(t *testing.T) {
	var buf bytes.Buffer
	var s Screen
	s.Draw(&buf, Frame{Cols: 80, Rows: 5, Reserve: 4, Remote: testFrame(t, 64, 48)})
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a terminal with no room for a picture", buf.String())
	}
}

func TestResizeRedrawsToFit(t *testing.T) {
	var buf bytes.Buffer
	var s Screen
	img := testFrame(t, 640, 480)
	s.Draw(&buf, Frame{Cols: 80, Rows: 24, Reserve: 4, Remote: img})
	buf.Reset()
	s.Draw(&buf, Frame{Cols: 120, Rows: 40, Reserve: 4, Remote: img})
	term := newVT(t, 120, 40)
	write(t, term, buf.String())
	// 35 rows = 70 pixels high, 93 wide, from column 13.
	checkBars(t, term.Top[20], 13, 106, barColours(t))
	if term.RegionTop != 37 || term.RegionBottom != 40 {
		t.Errorf("region %d-%d after resize, want 37-40", term.RegionTop, term.RegionBottom)
	}
}

// syncBuffer is a bytes.Buffer that the view's goroutine and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestViewDrawsAtABoundedRateAndRestores(t *testing.T) {
	var out syncBuffer
	v := New(Options{Out: &out, Size: func() (int, int) { return 40, 20 }, Reserve: 3, MaxFPS: 10})
	v.SetStatus("status")
	if out.String() != "" {
		t.Fatal("the view wrote before there was a picture")
	}
	src := capture.NewTestVideo(160, 120, 100)
	defer src.Close()
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
		img, _, err := src.Read()
		if err != nil {
			t.Fatal(err)
		}
		v.ShowRemote(picture.Thumbnail(img, 160, 120)) // a copy: the source reuses its frames
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	frames := v.frames
	v.mu.Unlock()
	// 50 pictures in 0.5 s at most 10 fps: 5 or 6 frames, fewer on a busy machine.
	if frames < 1 || frames > 7 {
		t.Errorf("drew %d frames in 0.5 s at 10 fps", frames)
	}
	term := newVT(t, 40, 20)
	write(t, term, out.String())
	if term.RegionBottom != 20 || term.RegionTop != 1 {
		t.Errorf("region %d-%d after Close, want the whole screen", term.RegionTop, term.RegionBottom)
	}
	if !strings.HasSuffix(out.String(), "\x1b8\x1b[?25h") {
		t.Error("Close did not end by restoring the cursor and showing it")
	}
}

// TestTmuxShowsTheTestPattern runs a view in a real terminal emulator, tmux,
// and reads its screen back with capture-pane, as a person would look.
// drawInTmux runs this test binary's test in a tmux pane 100 columns by
// rows, with env naming a file the child writes once it has drawn, and
// waits for that file. It returns a way to run tmux on that pane's server.
func drawInTmux(t *testing.T, env, test string, rows int) (tmux func(args ...string) string) {
	t.Helper()
	testenv.RequireTools(t, "tmux")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	done := filepath.Join(dir, "done")
	tmux = func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	child := fmt.Sprintf("%s=%s %s -test.run '^%s$'; sleep 30", env, done, exe, test)
	tmux("new-session", "-d", "-x", "100", "-y", fmt.Sprint(rows), child)
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })

	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(done); err == nil {
			return tmux
		}
		if time.Now().After(deadline) {
			t.Fatalf("the view did not draw in tmux within 10 s; the pane shows:\n%s", tmux("capture-pane", "-p"))
		}
		time.Sleep(50 * time.Millisecond) // the child's file is the only sign across tmux
	}
}

func TestTmuxShowsTheTestPattern(t *testing.T) {
	if os.Getenv("PIGEON_TERMVIEW_CHILD") != "" {
		runChild()
		return
	}
	if testing.Short() {
		t.Skip("starts tmux")
	}
	tmux := drawInTmux(t, "PIGEON_TERMVIEW_CHILD", "TestTmuxShowsTheTestPattern", 30)
	screen := tmux("capture-pane", "-p", "-e")
	lines := strings.Split(screen, "\n")
	if len(lines) < 30 {
		t.Fatalf("capture-pane gave %d lines", len(lines))
	}
	// Row 12 is in the middle of the picture: its colours, left to right.
	row := rowColours(lines[12])
	bars := barColours(t)
	next := 0
	for _, c := range row {
		if next < len(bars) && close3(c, bars[next], 12) {
			next++
		}
	}
	if next != len(bars) {
		t.Errorf("tmux shows %d of the 7 bars in order on row 12; its colours: %v", next, row)
	}
	if !strings.Contains(lines[25], "status under the picture") {
		t.Errorf("row 25 is %q, want the status", lines[25])
	}
	if !strings.Contains(screen, "a line of chat") {
		t.Errorf("the caller's line is not on the screen:\n%s", tmux("capture-pane", "-p"))
	}
}

// rowColours lists the foreground colour of each ▀ in a captured line.
func rowColours(line string) [][3]uint8 {
	var out [][3]uint8
	var fg [3]uint8
	re := regexp.MustCompile(`^\x1b\[([0-9;]*)m`)
	for len(line) > 0 {
		if m := re.FindStringSubmatch(line); m != nil {
			p := strings.Split(m[1], ";")
			for i := 0; i+4 < len(p)+0 && i < len(p); i++ {
				if p[i] == "38" && p[i+1] == "2" && i+4 < len(p) {
					r, _ := strconv.Atoi(p[i+2])
					g, _ := strconv.Atoi(p[i+3])
					b, _ := strconv.Atoi(p[i+4])
					fg = [3]uint8{uint8(r), uint8(g), uint8(b)}
				}
			}
			line = line[len(m[0]):]
			continue
		}
		r := []rune(line)[0]
		if r == '▀' {
			out = append(out, fg)
		}
		line = line[len(string(r)):]
	}
	return out
}

// runChild is the program that the tmux test runs in its pane.
func runChild() {
	cols, rows, err := term.GetSize(int(os.Stdout.Fd()))
	if err != nil {
		fmt.Println("not a terminal:", err)
		return
	}
	drawn := newPictureWriter(os.Stdout, "status under the picture")
	v := New(Options{Out: drawn, Size: func() (int, int) { return cols, rows }, Reserve: 4})
	v.SetStatus("status under the picture")
	src := capture.NewTestVideo(320, 240, 30)
	defer src.Close()
	img, _, _ := src.Read()
	v.ShowRemote(picture.Thumbnail(img, 320, 240))
	drawn.waitDrawn()
	fmt.Println("a line of chat")
	os.WriteFile(os.Getenv("PIGEON_TERMVIEW_CHILD"), nil, 0o644)
	waitKilled()
	v.Close()
}

// pictureWriter closes drawn once each of want, and a picture, has been
// written through it: a view may draw its tiles over several writes.
type pictureWriter struct {
	w     io.Writer
	mu    sync.Mutex
	want  []string // not yet written
	drawn chan struct{}
}

func newPictureWriter(w io.Writer, want ...string) *pictureWriter {
	return &pictureWriter{w: w, want: append(want, "▀"), drawn: make(chan struct{})}
}

func (p *pictureWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.want) == 0 {
		return n, err
	}
	p.want = slices.DeleteFunc(p.want, func(s string) bool { return bytes.Contains(b, []byte(s)) })
	if len(p.want) == 0 {
		close(p.drawn)
	}
	return n, err
}

// waitDrawn waits for the picture, or says on the screen that it never
// came, for the test to report.
func (p *pictureWriter) waitDrawn() {
	select {
	case <-p.drawn:
	case <-time.After(10 * time.Second):
		fmt.Println("the picture was never drawn")
	}
}

// waitKilled waits for tmux to end the pane's process.
func waitKilled() {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP, syscall.SIGTERM)
	select {
	case <-hup:
	case <-time.After(30 * time.Second):
	}
}

func BenchmarkDraw(b *testing.B) {
	img := testFrame(b, 640, 480)
	moved := testFrame(b, 640, 480)
	for i := range moved.Y {
		moved.Y[i] ^= 0x20 // every pixel changes
	}
	for _, size := range []struct{ cols, rows int }{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d/full", size.cols, size.rows), func(b *testing.B) {
			var buf bytes.Buffer
			var s Screen
			frames := []*image.YCbCr{img, moved}
			for i := 0; b.Loop(); i++ {
				buf.Reset()
				s.Draw(&buf, Frame{Cols: size.cols, Rows: size.rows, Reserve: 4, Remote: frames[i%2]})
			}
			b.ReportMetric(float64(buf.Len()), "bytes/frame")
		})
		b.Run(fmt.Sprintf("%dx%d/unchanged", size.cols, size.rows), func(b *testing.B) {
			var buf bytes.Buffer
			var s Screen
			for b.Loop() {
				buf.Reset()
				s.Draw(&buf, Frame{Cols: size.cols, Rows: size.rows, Reserve: 4, Remote: img})
			}
			b.ReportMetric(float64(buf.Len()), "bytes/frame")
		})
	}
}
