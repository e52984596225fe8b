package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// prepareRecording creates the file or directory --record names, if it is
// not there yet, so that only this user may read it: it holds the call.
// The recorder then writes into it (a file keeps the permissions it was
// made with; a directory of 0700 keeps others out of what goes in it). A
// path that exists is left as its owner set it.
func prepareRecording(path string) error {
	if path == "" {
		return nil
	}
	if strings.HasSuffix(strings.ToLower(path), ".webm") {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case errors.Is(err, fs.ErrExist):
			return nil
		case err != nil:
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
