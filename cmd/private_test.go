package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPrepareRecording(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(dir, "call.webm"), 0o600},
		{filepath.Join(dir, "a", "b"), os.ModeDir | 0o700},
	} {
		if err := prepareRecording(tt.path); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != tt.mode {
			t.Errorf("%s: mode %v, want %v", tt.path, info.Mode(), tt.mode)
		}
	}
	// What exists stays as its owner made it.
	mine := filepath.Join(dir, "mine.webm")
	if err := os.WriteFile(mine, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareRecording(mine); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "x" {
		t.Error("an existing file was changed")
	}
	if err := prepareRecording(""); err != nil {
		t.Error(err)
	}
}
