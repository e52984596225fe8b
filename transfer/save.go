package transfer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// partSuffix marks what is still arriving: "photo.jpg.part" becomes
// "photo.jpg" only once its checksum matches.
const partSuffix = ".part"

// maxNumbered is how far "name (n)" goes before the receiver gives up.
const maxNumbered = 9999

// partFile is what a received file is written to: an *os.File, or a test
// double that fails.
type partFile interface {
	io.Writer
	Sync() error
	Close() error
}

// sink is where a transfer's bytes go while they arrive.
type sink interface {
	io.Writer
	// finish flushes what was written; for a directory, it waits for the
	// last entry to be extracted.
	finish() error
	// commit moves the finished transfer to its final name, never over
	// anything, and returns its path.
	commit() (string, error)
	// abort removes the part file or directory.
	abort()
}

// newSink reserves a name for offer in dir and creates its part file or
// directory.
func newSink(dir string, offer Offer, wrap func(partFile) partFile) (sink, error) {
	if offer.Kind == Dir {
		return newDirSink(dir, offer.Name, offer.Size, wrap)
	}
	return newFileSink(dir, offer.Name, wrap)
}

// reserve creates the part file (with create) or directory for the first
// numbered form of name in dir that is free, with its part name free too.
// It returns the number and the part's path.
func reserve(dir, name string, kind Kind, create func(path string) error) (int, string, error) {
	for n := 0; n <= maxNumbered; n++ {
		final := filepath.Join(dir, numbered(name, kind, n))
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		part := final + partSuffix
		err := create(part)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return 0, "", fmt.Errorf("%w: %w", ErrWrite, err)
		}
		return n, part, nil
	}
	return 0, "", fmt.Errorf("%w: %q and %d numbered names are all taken in %s", ErrWrite, name, maxNumbered, dir)
}

// commit gives part the first numbered form of name, from n on, that is
// free when it is taken: place fails with fs.ErrExist when it is not.
func commit(dir, name string, kind Kind, n int, part string, place func(part, final string) error) (string, error) {
	for ; n <= maxNumbered; n++ {
		final := filepath.Join(dir, numbered(name, kind, n))
		err := place(part, final)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrWrite, err)
		}
		return final, nil
	}
	return "", fmt.Errorf("%w: %q and %d numbered names are all taken in %s", ErrWrite, name, maxNumbered, dir)
}

// fileSink writes a file to name.part.
type fileSink struct {
	dir, name string
	n         int
	part      string
	f         partFile
	closed    bool
}

func newFileSink(dir, name string, wrap func(partFile) partFile) (*fileSink, error) {
	s := &fileSink{dir: dir, name: name}
	var f *os.File
	n, part, err := reserve(dir, name, File, func(path string) (err error) {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.n, s.part, s.f = n, part, f
	if wrap != nil {
		s.f = wrap(f)
	}
	return s, nil
}

func (s *fileSink) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return n, nil
}

// finish makes the data durable before it gets its final name, and so
// hears of a disk that filled up only when the data reached it.
func (s *fileSink) finish() error {
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.closed = true
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return nil
}

func (s *fileSink) commit() (string, error) {
	final, err := commit(s.dir, s.name, File, s.n, s.part, placeFile)
	if err != nil {
		s.abort()
	}
	return final, err
}

// placeFile gives part the name final unless final exists. A hard link
// does that in one step; on a file system without hard links, a check and
// a rename come close.
func placeFile(part, final string) error {
	err := os.Link(part, final)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		if _, serr := os.Lstat(final); serr == nil {
			return fs.ErrExist
		}
		return os.Rename(part, final)
	}
	return os.Remove(part)
}

func (s *fileSink) abort() {
	if !s.closed {
		s.f.Close()
		s.closed = true
	}
	os.Remove(s.part)
}

// dirSink extracts a tar stream into name.part/ as it arrives.
type dirSink struct {
	dir, name string
	n         int
	part      string
	root      *os.Root
	pw        *io.PipeWriter
	done      chan error // the extractor's result
	finished  bool
}

// newDirSink extracts into name.part/ what a tar stream of size bytes
// holds: no more than size bytes of files.
func newDirSink(dir, name string, size int64, wrap func(partFile) partFile) (*dirSink, error) {
	n, part, err := reserve(dir, name, Dir, func(path string) error { return os.Mkdir(path, 0o777) })
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(part)
	if err != nil {
		os.Remove(part)
		return nil, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	pr, pw := io.Pipe()
	s := &dirSink{dir: dir, name: name, n: n, part: part, root: root, pw: pw, done: make(chan error, 1)}
	go func() {
		err := extract(pr, root, size, wrap)
		pr.CloseWithError(err) // a failed extraction fails the next Write
		s.done <- err
	}()
	return s, nil
}

// Write hands p to the extractor; its error, if it failed, says what it is.
func (s *dirSink) Write(p []byte) (int, error) { return s.pw.Write(p) }

func (s *dirSink) finish() error {
	if s.finished {
		return nil
	}
	s.finished = true
	s.pw.Close()
	err := <-s.done
	s.root.Close()
	return err
}

func (s *dirSink) commit() (string, error) {
	final, err := commit(s.dir, s.name, Dir, s.n, s.part, placeDir)
	if err != nil {
		s.abort()
	}
	return final, err
}

// placeDir gives part the name final unless final exists. Making final
// first claims the name; renameDir then moves part over that empty
// directory.
func placeDir(part, final string) error {
	if err := os.Mkdir(final, 0o777); err != nil {
		return err
	}
	if err := renameDir(part, final); err != nil {
		os.Remove(final)
		return err
	}
	return nil
}

func (s *dirSink) abort() {
	if !s.finished {
		s.finished = true
		s.pw.CloseWithError(errStopped)
		<-s.done
		s.root.Close()
	}
	os.RemoveAll(s.part)
}
