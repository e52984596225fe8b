package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRefusesAViewItCannotOpen(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"a window without a display", Options{View: ViewWindow}, ErrNoDisplay},
		{"a terminal without a terminal", Options{View: ViewTerminal}, ErrNoTerminal},
		{"a view that does not exist", Options{View: "hologram"}, ErrUnknownView},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.RecordFile = filepath.Join(t.TempDir(), "call.webm")
			out, err := New(tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if out != nil {
				t.Error("an output came with the error")
			}
			if _, err := os.Stat(tt.opts.RecordFile); !errors.Is(err, os.ErrNotExist) {
				t.Error("the recording's file was left behind")
			}
		})
	}
	if DisplayAvailable() {
		t.Error("DisplayAvailable with neither DISPLAY nor WAYLAND_DISPLAY")
	}
}

func TestStatusLineSaysWhatArrives(t *testing.T) {
	out, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	out.SetStatus("connected, rtt 3 ms")
	frames := vp8Frames(t, 15, 30)
	var packets = frames[0]
	for _, f := range frames[1:] {
		packets = append(packets, f...)
	}
	track := videoTrackOf(packets)
	track.frameGap = 20 * time.Millisecond
	if err := out.Play(track); err != nil {
		t.Fatal(err)
	}
	line := out.statusLine()
	for _, want := range []string{"connected, rtt 3 ms | ", "160x120 ", " fps", " kbit/s"} {
		if !strings.Contains(line, want) {
			t.Errorf("status %q does not say %q", line, want)
		}
	}
	st := out.Stats()[0]
	if st.FPS < 20 || st.FPS > 60 {
		t.Errorf("fps %.1f for a frame every ~20 ms", st.FPS)
	}
}
