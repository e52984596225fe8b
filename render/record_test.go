package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// TestRecordDirNamesEachPeer: in a call with several peers, the first
// peer whose track plays keeps video.ivf and audio.ogg, and each other
// peer's media goes to files named after it.
func TestRecordDirNamesEachPeer(t *testing.T) {
	dir := t.TempDir()
	out, err := New(Options{RecordDir: dir, Speaker: SpeakerNone})
	if err != nil {
		t.Fatal(err)
	}
	plays := []struct {
		peer   string
		video  bool
		length int
	}{
		{"peer1", true, 30}, {"peer1", false, 50},
		{"peer2", true, 20}, {"peer2", false, 40},
		{"peer3", true, 10},
	}
	for _, p := range plays {
		var track Track = opusTrack(p.length)
		if p.video {
			track = vp8Track(t, p.length)
		}
		if err := out.PlayPeer(Peer{ID: p.peer, Name: "name of " + p.peer}, track); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"audio-peer2.ogg", "audio.ogg", "video-peer2.ivf", "video-peer3.ivf", "video.ivf"}
	if !slices.Equal(names, want) {
		t.Fatalf("recorded %v, want %v", names, want)
	}
	for file, frames := range map[string]int{"video.ivf": 30, "video-peer2.ivf": 20, "video-peer3.ivf": 10} {
		ivf, err := mediatest.DecodeIVF(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if ivf.Frames != frames {
			t.Errorf("%s holds %d frames, want %d: another peer's", file, ivf.Frames, frames)
		}
	}
	for file, pages := range map[string]int{"audio.ogg": 50, "audio-peer2.ogg": 40} {
		ogg, err := mediatest.ReadOgg(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if ogg.Pages != pages || !ogg.Ended {
			t.Errorf("%s: %+v, want %d pages, ended", file, ogg, pages)
		}
	}
}

// TestRecordWebMKeepsTheFirstPeer: a WebM file holds one peer; another
// peer's media is left out, and the person is told so once.
func TestRecordWebMKeepsTheFirstPeer(t *testing.T) {
	var mu sync.Mutex
	var warned []string
	path := filepath.Join(t.TempDir(), "call.webm")
	out, err := New(Options{RecordFile: path, Speaker: SpeakerNone, Warn: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		warned = append(warned, err.Error())
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, peer := range []string{"peer1", "peer2", "peer2", "peer3"} {
		if err := out.PlayPeer(Peer{ID: peer}, opusTrack(20)); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var firstOnly []string
	for _, w := range warned {
		if strings.Contains(w, "records the first peer only") {
			firstOnly = append(firstOnly, w)
		}
	}
	if len(firstOnly) != 1 || !strings.Contains(firstOnly[0], path) {
		t.Fatalf("told %q, want once that %s records the first peer only", warned, path)
	}
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		t.Fatalf("no recording of the first peer: %v", err)
	}
}
