package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// harness is a connected pair whose receiver hands every transfer channel
// to Receive with the options of the moment.
type harness struct {
	*pair
	mu   sync.Mutex
	opts ReceiveOptions
	ctx  context.Context
	ins  chan *Incoming
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{ins: make(chan *Incoming, 8), ctx: context.Background()}
	h.pair = newPair(t, tune, func(dc *webrtc.DataChannel) {
		h.mu.Lock()
		opts, ctx := h.opts, h.ctx
		h.mu.Unlock()
		h.ins <- Receive(ctx, dc, opts)
	})
	return h
}

// receiveWith sets the options of the next transfers.
func (h *harness) receiveWith(ctx context.Context, opts ReceiveOptions) {
	h.mu.Lock()
	h.opts, h.ctx = opts, ctx
	h.mu.Unlock()
}

// outcome is how both sides of a transfer ended.
type outcome struct {
	sent, got       Result
	sendErr, recErr error
}

// transfer sends path through ch (the sender's channel, or a double around
// it) and waits for both sides.
func (h *harness) transfer(t *testing.T, ctx context.Context, ch Channel, path string, opts SendOptions) outcome {
	t.Helper()
	var o outcome
	o.sent, o.sendErr = Send(ctx, ch, path, opts)
	select {
	case in := <-h.ins:
		o.got, o.recErr = in.Wait()
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver never saw the transfer")
	}
	return o
}

func (h *harness) send(t *testing.T, path string, opts SendOptions) outcome {
	t.Helper()
	return h.transfer(t, context.Background(), h.open(t, nil), path, opts)
}

func writeFile(t *testing.T, dir, name string, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(uint64(size), 8))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// entries lists what dir holds, "name" for files and "name/" for
// directories, recursively.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var list []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			rel += "/"
		}
		list = append(list, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(list)
	return list
}

func wantOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := entries(t, dir)
	sort.Strings(want)
	if len(want) == 0 {
		want = nil
	}
	if !equal(got, want) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSendFiles(t *testing.T) {
	h := newHarness(t)
	src := t.TempDir()
	for _, size := range []int{0, 1, 1000, chunkSize - 1, chunkSize, chunkSize + 1, 1<<20 + 7, 3<<20 + 12345} {
		dst := t.TempDir()
		var offered Offer
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, Accept: func(o Offer) bool { offered = o; return true }})
		path, data := writeFile(t, src, "data.bin", size)

		var last Progress
		o := h.send(t, path, SendOptions{OnProgress: func(p Progress) { last = p }})
		if o.sendErr != nil || o.recErr != nil {
			t.Fatalf("%d bytes: sender %v, receiver %v", size, o.sendErr, o.recErr)
		}
		if offered != (Offer{Name: "data.bin", Size: int64(size), Kind: File}) {
			t.Errorf("%d bytes: the receiver was offered %+v", size, offered)
		}
		got, err := os.ReadFile(filepath.Join(dst, "data.bin"))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: saved %d bytes (%v), not the same", size, len(got), err)
		}
		sum := sha256.Sum256(data)
		if o.sent.SHA256 != hex.EncodeToString(sum[:]) || o.got.SHA256 != o.sent.SHA256 {
			t.Errorf("%d bytes: checksums %s and %s", size, o.sent.SHA256, o.got.SHA256)
		}
		if o.got.Path != filepath.Join(dst, "data.bin") || o.got.Size != int64(size) {
			t.Errorf("%d bytes: received %+v", size, o.got)
		}
		if !last.Done || last.Bytes != int64(size) {
			t.Errorf("%d bytes: last progress %+v", size, last)
		}
		wantOnly(t, dst, "data.bin")
	}
}

func TestSendDirectory(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "photos")
	files := map[string]int{
		"a.jpg":                 70000,
		"empty":                 0,
		"2024/summer/beach.jpg": 200001,
		"2024/.hidden":          5,
		"2024/naïve café ✓.txt": 33,
		"deep/" + string(bytes.Repeat([]byte("long-name-"), 15)) + "/x": 1,
	}
	want := map[string][]byte{}
	for name, size := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		_, want[name] = writeFile(t, filepath.Dir(filepath.Join(src, name)), filepath.Base(name), size)
	}
	if err := os.Mkdir(filepath.Join(src, "nothing here"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}

	dst := t.TempDir()
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	o := h.send(t, src, SendOptions{})
	if o.sendErr != nil || o.recErr != nil {
		t.Fatalf("sender %v, receiver %v", o.sendErr, o.recErr)
	}
	if o.sent.Kind != Dir || o.sent.Skipped != 1 || o.got.Path != filepath.Join(dst, "photos") {
		t.Errorf("sent %+v, received %+v", o.sent, o.got)
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dst, "photos", name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %v, %d bytes of %d", name, err, len(got), len(data))
		}
	}
	if info, err := os.Stat(filepath.Join(dst, "photos", "nothing here")); err != nil || !info.IsDir() {
		t.Errorf("the empty directory did not arrive: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dst, "photos", "link")); err == nil {
		t.Error("the symbolic link arrived")
	}
	wantOnly(t, dst, entriesOf(t, filepath.Join(dst, "photos"), "photos")...)

	// The same again lands beside it.
	o = h.send(t, src, SendOptions{})
	if o.recErr != nil || o.got.Path != filepath.Join(dst, "photos (1)") {
		t.Errorf("the second copy: %+v, %v", o.got, o.recErr)
	}

	// A link to the directory is followed, and named as the link is.
	link := filepath.Join(t.TempDir(), "via-link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	o = h.send(t, link, SendOptions{})
	if o.recErr != nil || o.got.Path != filepath.Join(dst, "via-link") {
		t.Fatalf("through a link: %+v, %v", o.got, o.recErr)
	}
	if got, err := os.ReadFile(filepath.Join(dst, "via-link", "a.jpg")); err != nil || !bytes.Equal(got, want["a.jpg"]) {
		t.Errorf("through a link, a.jpg: %v", err)
	}
}

// entriesOf lists dir's entries under prefix, with prefix itself.
func entriesOf(t *testing.T, dir, prefix string) []string {
	list := []string{prefix + "/"}
	for _, e := range entries(t, dir) {
		list = append(list, prefix+"/"+e)
	}
	return list
}

func TestPlannedSizeIsExact(t *testing.T) {
	src := t.TempDir()
	writeFile(t, src, "a", 1)
	writeFile(t, src, "b", 512)
	writeFile(t, src, string(bytes.Repeat([]byte("ü"), 80)), 513) // a PAX header
	plan, err := planDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var c countWriter
	if err := plan.write(&c); err != nil {
		t.Fatal(err)
	}
	if c.n != plan.size {
		t.Errorf("planned %d bytes, wrote %d", plan.size, c.n)
	}
}

func TestNeverOverwrites(t *testing.T) {
	h := newHarness(t)
	src := t.TempDir()
	path, data := writeFile(t, src, "report.pdf", 100)
	dst := t.TempDir()
	for _, name := range []string{"report.pdf", "report (1).pdf", "report (2).pdf.part"} {
		if err := os.WriteFile(filepath.Join(dst, name), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	o := h.send(t, path, SendOptions{})
	if o.recErr != nil {
		t.Fatal(o.recErr)
	}
	if want := filepath.Join(dst, "report (3).pdf"); o.got.Path != want {
		t.Errorf("saved as %s, want %s", o.got.Path, want)
	}
	if got, _ := os.ReadFile(o.got.Path); !bytes.Equal(got, data) {
		t.Error("the saved file differs")
	}
	for _, name := range []string{"report.pdf", "report (1).pdf", "report (2).pdf.part"} {
		if got, _ := os.ReadFile(filepath.Join(dst, name)); string(got) != "mine" {
			t.Errorf("%s was overwritten", name)
		}
	}
}

func TestReceiverSanitizesTheName(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x", 10)
	dst := t.TempDir()
	var offered Offer
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, Accept: func(o Offer) bool { offered = o; return true }})
	o := h.send(t, path, SendOptions{Name: "../../etc/\x1b[31mpasswd"})
	if o.recErr != nil {
		t.Fatal(o.recErr)
	}
	if offered.Name != "_.._etc__[31mpasswd" {
		t.Errorf("offered as %q", offered.Name)
	}
	wantOnly(t, dst, "_.._etc__[31mpasswd")
}

func TestDecline(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x", 10)
	dst := t.TempDir()
	for _, opts := range []ReceiveOptions{
		{Dir: dst, Accept: func(Offer) bool { return false }},
		{Dir: dst}, // nobody to ask
	} {
		h.receiveWith(context.Background(), opts)
		o := h.send(t, path, SendOptions{})
		if !errors.Is(o.sendErr, ErrDeclined) || !errors.Is(o.recErr, ErrDeclined) {
			t.Errorf("sender %v, receiver %v; want ErrDeclined on both", o.sendErr, o.recErr)
		}
		if o.got.Name != "x" || o.got.Size != 10 || o.got.Path != "" {
			t.Errorf("the receiver's result %+v, want the declined offer's name and size, and no path", o.got)
		}
	}
	wantOnly(t, dst)
}

// TestTooLarge offers a file larger than the receiver takes, then one
// larger than any disk's free space: both are refused before the person is
// asked or a byte is sent, and each side's error says the limit.
func TestTooLarge(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x", 10<<10)
	dst := t.TempDir()
	asked := false
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, MaxSize: 4 << 10, Accept: func(Offer) bool { asked = true; return true }})
	o := h.send(t, path, SendOptions{})
	if !errors.Is(o.sendErr, ErrTooLarge) || !errors.Is(o.recErr, ErrTooLarge) || asked {
		t.Errorf("sender %v, receiver %v (asked: %v); want ErrTooLarge on both, unasked", o.sendErr, o.recErr, asked)
	}
	if o.sendErr == nil || !strings.Contains(o.sendErr.Error(), "at most 4.0 KiB") ||
		o.recErr == nil || !strings.Contains(o.recErr.Error(), "x is 10.0 KiB, more than the 4.0 KiB") {
		t.Errorf("sender %q, receiver %q: want each to say the limit", o.sendErr, o.recErr)
	}
	if o.got.Name != "x" || o.got.Size != 10<<10 {
		t.Errorf("the receiver's result %+v, want the refused offer's name and size", o.got)
	}

	// More than the free space: a raw offer, since no file is that large.
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	s := newRawSender(t, h)
	s.control(t, control{Type: typeOffer, Version: 1, Name: "huge", Size: 1 << 62, Kind: File})
	select {
	case m := <-s.msgs:
		c, err := parseControl(m.Data)
		if err != nil || c.Type != typeDecline || !errors.Is(declineError(c), ErrTooLarge) || !strings.Contains(declineError(c).Error(), "free") {
			t.Errorf("the receiver answered %q (%v), want a decline for the free space", m.Data, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer to the offer")
	}
	in := <-h.ins
	if _, err := in.Wait(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "free") {
		t.Errorf("receiver %v, want ErrTooLarge for the free space", err)
	}
	wantOnly(t, dst)
}

// chunkHook is a test double around the sender's channel that calls hook
// before the sender's n-th data message (from 0) goes out.
type chunkHook struct {
	Channel
	mu   sync.Mutex
	n    int
	hook func(n int, data []byte) []byte
}

func (c *chunkHook) Send(data []byte) error {
	c.mu.Lock()
	data = c.hook(c.n, data)
	c.n++
	c.mu.Unlock()
	return c.Channel.Send(data)
}

func TestChecksumMismatchSavesNothing(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x.bin", 5*chunkSize+3)
	dst := t.TempDir()
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	corrupt := &chunkHook{Channel: h.open(t, nil), hook: func(n int, data []byte) []byte {
		if n == 2 {
			data = bytes.Clone(data)
			data[100] ^= 1
		}
		return data
	}}
	o := h.transfer(t, context.Background(), corrupt, path, SendOptions{})
	if !errors.Is(o.recErr, ErrChecksum) || !errors.Is(o.sendErr, ErrChecksum) {
		t.Errorf("sender %v, receiver %v; want ErrChecksum on both", o.sendErr, o.recErr)
	}
	wantOnly(t, dst)
}

func TestCutMidwaySavesNothing(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x.bin", 40*chunkSize)
	dst := t.TempDir()
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	dc := h.open(t, nil)
	cut := &chunkHook{Channel: dc, hook: func(n int, data []byte) []byte {
		if n == 10 {
			dc.Close()
		}
		return data
	}}
	o := h.transfer(t, context.Background(), cut, path, SendOptions{})
	if !errors.Is(o.recErr, ErrInterrupted) || !errors.Is(o.sendErr, ErrInterrupted) {
		t.Errorf("sender %v, receiver %v; want ErrInterrupted on both", o.sendErr, o.recErr)
	}
	wantOnly(t, dst)
}

func TestConnectionLostSavesNothing(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x.bin", 40*chunkSize)
	dst := t.TempDir()
	h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
	hangUp := &chunkHook{Channel: h.open(t, nil), hook: func(n int, data []byte) []byte {
		if n == 10 {
			go h.sender.Close()
		}
		return data
	}}
	o := h.transfer(t, context.Background(), hangUp, path, SendOptions{})
	if !errors.Is(o.recErr, ErrInterrupted) || !errors.Is(o.sendErr, ErrInterrupted) {
		t.Errorf("sender %v, receiver %v; want ErrInterrupted on both", o.sendErr, o.recErr)
	}
	wantOnly(t, dst)
}

func TestCancel(t *testing.T) {
	h := newHarness(t)
	path, _ := writeFile(t, t.TempDir(), "x.bin", 40*chunkSize)

	t.Run("sender", func(t *testing.T) {
		dst := t.TempDir()
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop := &chunkHook{Channel: h.open(t, nil), hook: func(n int, data []byte) []byte {
			if n == 10 {
				cancel()
			}
			return data
		}}
		o := h.transfer(t, ctx, stop, path, SendOptions{})
		if !errors.Is(o.sendErr, ErrCanceled) || !errors.Is(o.sendErr, context.Canceled) || !errors.Is(o.recErr, ErrPeerCanceled) {
			t.Errorf("sender %v, receiver %v; want ErrCanceled and ErrPeerCanceled", o.sendErr, o.recErr)
		}
		wantOnly(t, dst)
	})

	t.Run("receiver", func(t *testing.T) {
		dst := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h.receiveWith(ctx, ReceiveOptions{Dir: dst, AcceptAll: true})
		stop := &chunkHook{Channel: h.open(t, nil), hook: func(n int, data []byte) []byte {
			if n == 10 {
				cancel()
			}
			return data
		}}
		o := h.transfer(t, context.Background(), stop, path, SendOptions{})
		if !errors.Is(o.recErr, ErrCanceled) || !errors.Is(o.sendErr, ErrPeerCanceled) {
			t.Errorf("sender %v, receiver %v; want ErrPeerCanceled and ErrCanceled", o.sendErr, o.recErr)
		}
		wantOnly(t, dst)
	})
}

// failingFile fails every write after the first limit bytes, as a full
// disk does.
type failingFile struct {
	partFile
	limit int
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n, _ := f.partFile.Write(p[:f.limit])
		f.limit = 0
		return n, syscall.ENOSPC
	}
	f.limit -= len(p)
	return f.partFile.Write(p)
}

func TestWriteErrorIsReported(t *testing.T) {
	h := newHarness(t)
	src := t.TempDir()
	file, _ := writeFile(t, src, "x.bin", 20*chunkSize)
	dir := filepath.Join(src, "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "inner.bin", 20*chunkSize)
	full := func(f partFile) partFile { return &failingFile{partFile: f, limit: 3 * chunkSize} }

	for _, path := range []string{file, dir} {
		dst := t.TempDir()
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true, wrap: full})
		o := h.send(t, path, SendOptions{})
		if !errors.Is(o.recErr, ErrWrite) || !errors.Is(o.recErr, syscall.ENOSPC) || !errors.Is(o.sendErr, ErrPeerWrite) {
			t.Errorf("%s: sender %v, receiver %v; want ErrPeerWrite, and ErrWrite with ENOSPC", filepath.Base(path), o.sendErr, o.recErr)
		}
		wantOnly(t, dst)
	}

	t.Run("download directory is a file", func(t *testing.T) {
		h.receiveWith(context.Background(), ReceiveOptions{Dir: file, AcceptAll: true})
		o := h.send(t, file, SendOptions{})
		if !errors.Is(o.recErr, ErrWrite) || !errors.Is(o.sendErr, ErrPeerWrite) {
			t.Errorf("sender %v, receiver %v; want ErrPeerWrite and ErrWrite", o.sendErr, o.recErr)
		}
	})

	t.Run("read-only download directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories")
		}
		dst := t.TempDir()
		if err := os.Chmod(dst, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dst, 0o755)
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
		o := h.send(t, file, SendOptions{})
		if !errors.Is(o.recErr, ErrWrite) || !errors.Is(o.recErr, fs.ErrPermission) || !errors.Is(o.sendErr, ErrPeerWrite) {
			t.Errorf("sender %v, receiver %v; want ErrPeerWrite and ErrWrite", o.sendErr, o.recErr)
		}
	})
}

func TestSendWhatCannotBeSent(t *testing.T) {
	h := newHarness(t)
	if _, err := Send(context.Background(), h.open(t, nil), "/dev/null", SendOptions{}); !errors.Is(err, ErrNotSendable) {
		t.Errorf("sending /dev/null: %v, want ErrNotSendable", err)
	}
	if _, err := Send(context.Background(), h.open(t, nil), filepath.Join(t.TempDir(), "gone"), SendOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sending a missing file: %v, want fs.ErrNotExist", err)
	}
}
