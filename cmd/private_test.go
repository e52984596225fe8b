package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pigeon-call/pigeon/internal/private"
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
	// A file that exists is made private too; a link someone left is
	// refused, and what it points to left alone.
	mine := filepath.Join(dir, "mine.webm")
	if err := os.WriteFile(mine, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareRecording(mine); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(mine); info.Mode() != 0o600 {
		t.Errorf("an existing recording keeps mode %v", info.Mode())
	}
	// A link another user left in a directory anyone may write to.
	shared := filepath.Join(dir, "shared")
	os.Mkdir(shared, 0o755)
	os.Chmod(shared, 0o777)
	planted := filepath.Join(shared, "planted.webm")
	os.Symlink(mine, planted)
	if os.Geteuid() == 0 {
		os.Lchown(planted, 65534, 65534)
	}
	if err := prepareRecording(planted); !errors.Is(err, private.ErrSymlink) {
		t.Errorf("a recording through a link: %v, want private.ErrSymlink", err)
	}
	if code, _ := exitCode(prepareRecording(planted)); code != ExitBadInput {
		t.Errorf("exit code %d for a recording through a link, want %d", code, ExitBadInput)
	}
	if err := prepareRecording(""); err != nil {
		t.Error(err)
	}
}
