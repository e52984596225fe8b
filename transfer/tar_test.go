package transfer

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/hostile"
)

// tarOf builds a tar stream of hdrs, each regular file filled with its
// size in 'x's.
func tarOf(t testing.TB, hdrs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func file(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: size, Mode: 0o644}
}

func TestExtractRefusesUnsafeEntries(t *testing.T) {
	tests := []struct {
		name string
		hdrs []*tar.Header
	}{
		{"parent", []*tar.Header{file("../evil", 3)}},
		{"parent inside", []*tar.Header{file("a/../../evil", 3)}},
		{"absolute", []*tar.Header{file("/tmp/evil", 3)}},
		{"symlink", []*tar.Header{{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}}},
		{"symlink then through it", []*tar.Header{
			{Name: "link", Typeflag: tar.TypeSymlink, Linkname: ".."}, file("link/evil", 3)}},
		{"hard link", []*tar.Header{{Name: "passwd", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"}}},
		{"device", []*tar.Header{{Name: "null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}},
		{"fifo", []*tar.Header{{Name: "fifo", Typeflag: tar.TypeFifo}}},
		{"twice", []*tar.Header{file("a", 1), file("a", 2)}},
		{"twice once sanitized", []*tar.Header{file("a:b", 1), file("a_b", 2)}},
		{"only dots", []*tar.Header{file("...", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := t.TempDir()
			dst := filepath.Join(top, "downloads")
			os.Mkdir(dst, 0o755)
			s, err := newDirSink(dst, "d", 1<<20, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, werr := s.Write(tarOf(t, tt.hdrs...))
			ferr := s.finish()
			if !errors.Is(werr, ErrUnsafeEntry) && !errors.Is(ferr, ErrUnsafeEntry) {
				t.Errorf("write %v, finish %v; want ErrUnsafeEntry", werr, ferr)
			}
			s.abort()
			wantOnly(t, top, "downloads/")
		})
	}
}

func TestExtract(t *testing.T) {
	dst := t.TempDir()
	s, err := newDirSink(dst, "d", 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	stream := tarOf(t,
		&tar.Header{Name: "sub/", Typeflag: tar.TypeDir, Mode: 0o755},
		file("sub/a", 10),
		file("implicit/dir/b", 600),
		&tar.Header{Name: "global", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "hi"}},
		file("./CON", 1),
	)
	// Arriving a few bytes at a time, as chunks do.
	for len(stream) > 0 {
		n := min(len(stream), 777)
		if _, err := s.Write(stream[:n]); err != nil {
			t.Fatal(err)
		}
		stream = stream[n:]
	}
	if err := s.finish(); err != nil {
		t.Fatal(err)
	}
	path, err := s.commit()
	if err != nil {
		t.Fatal(err)
	}
	wantOnly(t, dst, "d/", "d/sub/", "d/sub/a", "d/implicit/", "d/implicit/dir/", "d/implicit/dir/b", "d/_CON")
	if path != filepath.Join(dst, "d") {
		t.Errorf("saved in %s", path)
	}
}

// rawSender plays a sender that does not follow the rules.
type rawSender struct {
	dc   *webrtc.DataChannel
	msgs chan webrtc.DataChannelMessage
}

func newRawSender(t *testing.T, h *harness) *rawSender {
	s := &rawSender{dc: h.open(t, nil), msgs: make(chan webrtc.DataChannelMessage, 16)}
	opened := make(chan struct{})
	s.dc.OnOpen(func() { close(opened) })
	s.dc.OnMessage(func(m webrtc.DataChannelMessage) { s.msgs <- m })
	<-opened
	return s
}

func (s *rawSender) control(t *testing.T, c control) {
	if err := s.dc.SendText(c.marshal()); err != nil {
		t.Fatal(err)
	}
}

func (s *rawSender) expect(t *testing.T, typ string) {
	t.Helper()
	select {
	case m := <-s.msgs:
		if c, err := parseControl(m.Data); err != nil || c.Type != typ {
			t.Fatalf("got %q (%v), want %q", m.Data, err, typ)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no %q came", typ)
	}
}

func TestMaliciousSender(t *testing.T) {
	h := newHarness(t)
	wait := func(t *testing.T) error {
		t.Helper()
		select {
		case in := <-h.ins:
			_, err := in.Wait()
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("the receiver never saw the transfer")
			return nil
		}
	}

	t.Run("more data than offered", func(t *testing.T) {
		dst := t.TempDir()
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
		s := newRawSender(t, h)
		s.control(t, control{Type: typeOffer, Version: 1, Name: "small", Size: 10, Kind: File})
		s.expect(t, typeAccept)
		s.dc.Send(make([]byte, 8))
		s.dc.Send(make([]byte, 8))
		if err := wait(t); !errors.Is(err, ErrProtocol) {
			t.Errorf("receiver %v, want ErrProtocol", err)
		}
		s.expect(t, typeCancel)
		wantOnly(t, dst)
	})

	t.Run("a directory that climbs out", func(t *testing.T) {
		top := t.TempDir()
		dst := filepath.Join(top, "downloads")
		os.Mkdir(dst, 0o755)
		h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true})
		stream := tarOf(t, file("ok", 5), file("../../evil", 5))
		sum := sha256.Sum256(stream)
		s := newRawSender(t, h)
		s.control(t, control{Type: typeOffer, Version: 1, Name: "d", Size: int64(len(stream)), Kind: Dir})
		s.expect(t, typeAccept)
		s.dc.Send(stream)
		s.control(t, control{Type: typeEnd, SHA256: hex.EncodeToString(sum[:])})
		if err := wait(t); !errors.Is(err, ErrUnsafeEntry) {
			t.Errorf("receiver %v, want ErrUnsafeEntry", err)
		}
		s.expect(t, typeCancel)
		wantOnly(t, top, "downloads/")
	})

	// A few KiB that a trusting reader would write out as 64 MiB, or as
	// 1 GiB: each is refused before anything is written.
	for _, tt := range []struct {
		name   string
		stream []byte
		want   error
	}{
		{"a sparse file", hostile.SparseTar("big", 64<<20), ErrUnsafeEntry},
		{"a file larger than the stream", hostile.OversizedTar("claims", 1<<30), ErrProtocol},
	} {
		t.Run(tt.name, func(t *testing.T) {
			top := t.TempDir()
			dst := filepath.Join(top, "downloads")
			os.Mkdir(dst, 0o755)
			var written countingFiles
			h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, AcceptAll: true, wrap: written.wrap})
			sum := sha256.Sum256(tt.stream)
			s := newRawSender(t, h)
			s.control(t, control{Type: typeOffer, Version: 1, Name: "d", Size: int64(len(tt.stream)), Kind: Dir})
			s.expect(t, typeAccept)
			s.dc.Send(tt.stream)
			s.control(t, control{Type: typeEnd, SHA256: hex.EncodeToString(sum[:])})
			if err := wait(t); !errors.Is(err, tt.want) {
				t.Errorf("receiver %v, want %v", err, tt.want)
			}
			s.expect(t, typeCancel)
			if n := written.n.Load(); n != 0 {
				t.Errorf("%d bytes were written for a stream of %d", n, len(tt.stream))
			}
			wantOnly(t, top, "downloads/")
		})
	}

	for _, offer := range []control{
		{Type: typeOffer, Version: 1, Name: "x", Size: 1, Kind: "symlink"},
		{Type: typeOffer, Version: 1, Name: "x", Size: -1, Kind: File},
		{Type: typeOffer, Version: 99, Name: "x", Size: 1, Kind: File},
		{Type: typeEnd},
	} {
		t.Run("bad offer "+offer.marshal(), func(t *testing.T) {
			dst := t.TempDir()
			asked := false
			h.receiveWith(context.Background(), ReceiveOptions{Dir: dst, Accept: func(Offer) bool { asked = true; return true }})
			s := newRawSender(t, h)
			s.control(t, offer)
			if err := wait(t); !errors.Is(err, ErrProtocol) || asked {
				t.Errorf("receiver %v (asked: %v), want ErrProtocol without asking", err, asked)
			}
			wantOnly(t, dst)
		})
	}
}

// countingFiles counts the bytes written to the files of a transfer.
type countingFiles struct{ n atomic.Int64 }

func (c *countingFiles) wrap(f partFile) partFile { return &countedFile{partFile: f, n: &c.n} }

type countedFile struct {
	partFile
	n *atomic.Int64
}

func (f *countedFile) Write(p []byte) (int, error) {
	n, err := f.partFile.Write(p)
	f.n.Add(int64(n))
	return n, err
}

// FuzzExtract extracts any bytes as a received directory's tar stream: it
// never panics, writes no more bytes of files than the stream holds, puts
// nothing outside the directory, and fails only with the transfer's own
// errors.
func FuzzExtract(f *testing.F) {
	f.Add(tarOf(f, file("a", 3), &tar.Header{Name: "sub/", Typeflag: tar.TypeDir, Mode: 0o755}, file("sub/b", 700)))
	f.Add(hostile.SparseTar("big", 1<<20))
	f.Add(hostile.OversizedTar("claims", 1<<30))
	f.Add(tarOf(f, &tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}))
	base := f.TempDir()
	f.Fuzz(func(t *testing.T, stream []byte) {
		top, err := os.MkdirTemp(base, "")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(top)
		dir := filepath.Join(top, "d")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		var written countingFiles
		err = extract(bytes.NewReader(stream), root, int64(len(stream)), written.wrap)
		if err != nil && !errors.Is(err, ErrUnsafeEntry) && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrWrite) {
			t.Errorf("extract: %v, not one of the transfer's errors", err)
		}
		if n := written.n.Load(); n > int64(len(stream)) {
			t.Errorf("%d bytes written from a stream of %d", n, len(stream))
		}
		if entries, _ := os.ReadDir(top); len(entries) != 1 {
			t.Errorf("%d entries beside the directory", len(entries)-1)
		}
	})
}
