// Package private opens the files pigeon writes for a call (codes, QR
// pictures, traces, recordings, the known peers) so that only their owner
// can read them, whether the file existed or not, and never through a
// symbolic link that someone else could have planted: in a directory
// others can write to (/tmp), a link named like the file would send the
// call's code, or a recording, wherever they chose.
//
// A link is followed when no one else could have made it: it belongs to
// this user or to root, in a directory that only its owner, this user or
// root, can write to (a dotfile linked into ~/.config, /dev/stdout). A
// FIFO or a character device is written as it is, even through any link,
// so that scripts keep their pipes.
package private

import (
	"errors"
	"io/fs"
	"os"
)

// The errors Create and Append refuse a path with, wrapped in an
// *fs.PathError that names it.
var (
	// ErrSymlink means the path is a symbolic link that someone else could
	// have made, to something other than a FIFO or a device.
	ErrSymlink = errors.New("it is a symbolic link in a directory others can write to: pigeon writes through such a link only to a FIFO or a device (give the file's own path, or - for stdout)")

	// ErrNotFile means the path is neither a regular file, a FIFO nor a
	// character device: a directory, a socket, a block device.
	ErrNotFile = errors.New("it is not a file, a FIFO or a device pigeon can write to")
)

// Create opens path for writing from its start, emptied, and creates it if
// it is not there. A regular file gets mode 0600 whether or not it
// existed. A symbolic link someone else could have made is refused with
// ErrSymlink, unless it leads to a FIFO or a character device.
func Create(path string) (*os.File, error) { return open(path, false) }

// Append opens path for writing at its end, as Create does otherwise.
func Append(path string) (*os.File, error) { return open(path, true) }

func open(path string, appending bool) (*os.File, error) {
	flag := os.O_WRONLY | os.O_CREATE
	if appending {
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(path, flag|oNoFollow, 0o600)
	if isLink(err) {
		if !trustedLink(path) {
			return openLinked(path)
		}
		f, err = os.OpenFile(path, flag, 0o600)
	}
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case info.Mode().IsRegular():
		// Emptied only once it is known to be a file.
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, err
		}
		if !appending {
			if err := f.Truncate(0); err != nil {
				f.Close()
				return nil, err
			}
		}
	case !isPipeOrDevice(info.Mode()):
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotFile}
	}
	return f, nil
}

// openLinked opens path, a symbolic link someone else could have made, if
// it leads to a FIFO or a character device. The file opened is checked
// again: the link may have changed in between, and nothing was created or
// emptied through it.
func openLinked(path string) (*os.File, error) {
	refused := &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	if info, err := os.Stat(path); err != nil || !isPipeOrDevice(info.Mode()) {
		return nil, refused
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !isPipeOrDevice(info.Mode()) {
		f.Close()
		return nil, refused
	}
	return f, nil
}

func isPipeOrDevice(m fs.FileMode) bool {
	return m&fs.ModeNamedPipe != 0 || m&fs.ModeCharDevice != 0
}
