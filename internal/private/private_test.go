//go:build unix

package private

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pigeon-call/pigeon/internal/testenv"
)

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	mode := func(path string) os.FileMode {
		t.Helper()
		info, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return info.Mode()
	}
	write := func(open func(string) (*os.File, error), path, text string) error {
		f, err := open(path)
		if err != nil {
			return err
		}
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}

	// A new file, and one that others could read: both 0600, the old one
	// emptied first; Append adds at the end.
	fresh := filepath.Join(dir, "fresh")
	if err := write(Create, fresh, "code"); err != nil || mode(fresh) != 0o600 {
		t.Errorf("a new file: %v, mode %v; want 0600", err, mode(fresh))
	}
	old := filepath.Join(dir, "old")
	os.WriteFile(old, []byte("a much longer old text"), 0o644)
	if err := write(Create, old, "new"); err != nil || mode(old) != 0o600 {
		t.Errorf("an existing file: %v, mode %v; want 0600", err, mode(old))
	}
	if b, _ := os.ReadFile(old); string(b) != "new" {
		t.Errorf("the existing file holds %q, want only the new text", b)
	}
	os.Chmod(old, 0o664)
	if err := write(Append, old, " more"); err != nil || mode(old) != 0o600 {
		t.Errorf("appending: %v, mode %v; want 0600", err, mode(old))
	}
	if b, _ := os.ReadFile(old); string(b) != "new more" {
		t.Errorf("after Append the file holds %q", b)
	}

	// Links someone else planted in a directory all may write to, as /tmp:
	// to a file of the victim's, or to where a file would be made. Neither
	// is written, created or changed.
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	shared := testenv.SharedDir(t)
	planted := testenv.PlantLink(t, victim, filepath.Join(shared, "planted"))
	dangling := testenv.PlantLink(t, filepath.Join(dir, "made-through-a-link"), filepath.Join(shared, "dangling"))
	for _, path := range []string{planted, dangling} {
		for _, open := range []func(string) (*os.File, error){Create, Append} {
			if err := write(open, path, "stolen"); !errors.Is(err, ErrSymlink) {
				t.Errorf("%s: %v, want ErrSymlink", filepath.Base(path), err)
			}
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" || mode(victim) != 0o644 {
		t.Errorf("the link's target holds %q with mode %v", b, mode(victim))
	}
	if _, err := os.Lstat(filepath.Join(dir, "made-through-a-link")); err == nil {
		t.Error("a file was made through the dangling link")
	}

	// A link of this user's own, in a directory of its own (a dotfile
	// linked into ~/.config) is followed, and its target made private.
	mine := filepath.Join(dir, "mine")
	os.WriteFile(mine, []byte("old"), 0o644)
	ownLink := filepath.Join(dir, "own-link")
	os.Symlink(mine, ownLink)
	if err := write(Append, ownLink, " more"); err != nil || mode(mine) != 0o600 {
		t.Errorf("a link of one's own: %v, target mode %v; want it followed, 0600", err, mode(mine))
	}
	if b, _ := os.ReadFile(mine); string(b) != "old more" {
		t.Errorf("through a link of one's own the file holds %q", b)
	}
	if err := write(Create, "/dev/stdout", ""); err != nil {
		t.Errorf("/dev/stdout: %v", err)
	}

	// What scripts write to: a FIFO, directly and through a link anyone
	// could have made, and a character device through one.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	toFIFO := testenv.PlantLink(t, fifo, filepath.Join(shared, "to-fifo"))
	for _, path := range []string{fifo, toFIFO} {
		got := make(chan string)
		go func() {
			r, err := os.Open(fifo)
			if err != nil {
				got <- err.Error()
				return
			}
			b, _ := io.ReadAll(r)
			r.Close()
			got <- string(b)
		}()
		if err := write(Create, path, "through the pipe"); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
		if s := <-got; s != "through the pipe" {
			t.Errorf("%s: the reader got %q", filepath.Base(path), s)
		}
	}
	if mode(fifo).Perm() != 0o644 {
		t.Errorf("the FIFO's mode changed to %v", mode(fifo))
	}
	null := testenv.PlantLink(t, "/dev/null", filepath.Join(shared, "null"))
	if err := write(Create, null, "nothing"); err != nil {
		t.Errorf("a link to /dev/null: %v", err)
	}

	if err := write(Create, t.TempDir(), "x"); err == nil {
		t.Error("a directory was opened for writing")
	}
}
