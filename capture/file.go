package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
)

// A source name that is none of the words for a device or a synthetic
// source (and does not start with ImagePrefix) is the path of a file to
// play: "clip.y4m", "./test" for a file named test. What the file holds is
// read from its first bytes, not its name.

// VideoFile returns the path of the file a video source name plays, and
// whether the name is of a file at all.
func VideoFile(name string) (string, bool) {
	if _, picture := ImagePath(name); picture || name == "" || slices.Contains([]string{Camera, Test, Screen, None}, name) {
		return "", false
	}
	return name, true
}

// AudioFile returns the path of the file an audio source name plays, and
// whether the name is of a file at all.
func AudioFile(name string) (string, bool) {
	if name == "" || slices.Contains([]string{Mic, Test, None}, name) {
		return "", false
	}
	return name, true
}

// fileKind is what a media file holds, from its first bytes.
type fileKind int

const (
	kindUnknown fileKind = iota
	kindY4M
	kindIVF
	kindWAV
	kindOgg
	kindPicture // PNG or JPEG
)

// sniff says what a file starting with head holds.
func sniff(head []byte) fileKind {
	switch {
	case bytes.HasPrefix(head, []byte(y4mMagic)):
		return kindY4M
	case bytes.HasPrefix(head, []byte(ivfMagic)):
		return kindIVF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return kindWAV
	case bytes.HasPrefix(head, []byte("OggS")):
		return kindOgg
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return kindPicture
	}
	return kindUnknown
}

// openMediaFile opens the file at path and says what it holds. A missing
// file is ErrUnknownSource: most likely a mistyped source name.
func openMediaFile(path string) (*os.File, fileKind, error) {
	// Looked at before it is opened: opening a FIFO would wait for a
	// writer.
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, kindUnknown, fmt.Errorf("%w %q: no file has that name", ErrUnknownSource, path)
	case err != nil:
		return nil, kindUnknown, fmt.Errorf("%w: %v", ErrMediaFile, err)
	case info.IsDir():
		return nil, kindUnknown, fmt.Errorf("%w %s: it is a directory", ErrMediaFile, path)
	case !info.Mode().IsRegular():
		return nil, kindUnknown, fmt.Errorf("%w %s: it is not a regular file", ErrMediaFile, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, kindUnknown, fmt.Errorf("%w: %v", ErrMediaFile, err)
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, kindUnknown, fmt.Errorf("%w %s: %v", ErrMediaFile, path, err)
	}
	return f, sniff(head[:n]), nil
}
