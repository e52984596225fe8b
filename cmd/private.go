package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/pigeon-call/pigeon/internal/private"
)

// prepareRecording creates the file or directory --record names before
// the call, so that a path pigeon cannot write is said at once: a file by
// the rules of every file pigeon writes (mode 0600, no link followed but to
// a FIFO or a device), a directory with mode 0700 if it is new. The
// recorder then writes its files into the directory by the same rules.
func prepareRecording(path string) error {
	if path == "" {
		return nil
	}
	if strings.HasSuffix(strings.ToLower(path), ".webm") {
		f, err := private.Create(path)
		if err != nil {
			return fmt.Errorf("creating the recording: %w", err)
		}
		return f.Close()
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return fmt.Errorf("creating the recording directory: %w", err)
	}
	return nil
}
