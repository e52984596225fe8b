package transfer

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// A directory travels as a tar stream of its subdirectories and regular
// files, with names relative to it ("notes/a.txt"); the directory's own name
// is the offer's. Symbolic links, devices, sockets and pipes are left out:
// the receiver would refuse them. Owners and permissions are left out too:
// what arrives belongs to the receiver, with its default permissions.

// tarBlock is the unit a tar stream is written in.
const tarBlock = 512

// dirPlan is a directory's tar stream, worked out before anything is sent:
// its length goes in the offer.
type dirPlan struct {
	root    string
	entries []tarEntry
	size    int64 // the exact length of the stream
	skipped int   // entries left out
}

type tarEntry struct {
	hdr  *tar.Header
	path string // on disk
}

// planDir walks root and plans its tar stream.
func planDir(root string) (*dirPlan, error) {
	p := &dirPlan{root: root, size: 2 * tarBlock} // the stream ends with two empty blocks
	err := filepath.WalkDir(root, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if file == root {
			return nil
		}
		rel, err := filepath.Rel(root, file)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel)}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeReg, info.Size(), 0o644
			hdr.ModTime = info.ModTime().Truncate(time.Second)
		default:
			p.skipped++
			return nil
		}
		n, err := headerSize(hdr)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		p.size += n + roundUp(hdr.Size)
		p.entries = append(p.entries, tarEntry{hdr: hdr, path: file})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the directory: %w", err)
	}
	return p, nil
}

// headerSize is the number of bytes archive/tar writes for hdr, extended
// headers for long names included.
func headerSize(hdr *tar.Header) (int64, error) {
	var c countWriter
	if err := tar.NewWriter(&c).WriteHeader(hdr); err != nil {
		return 0, err
	}
	return c.n, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func roundUp(n int64) int64 { return (n + tarBlock - 1) / tarBlock * tarBlock }

// stream starts writing the tar stream in a goroutine and returns its
// reading end, and a stop function that ends the goroutine and waits for it.
func (p *dirPlan) stream() (io.Reader, func() error) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(p.write(pw))
	}()
	return pr, func() error {
		pr.CloseWithError(errStopped)
		<-done
		return nil
	}
}

var errStopped = errors.New("the transfer stopped")

// write writes the tar stream to w.
func (p *dirPlan) write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10) // headers are small writes
	tw := tar.NewWriter(bw)
	for _, e := range p.entries {
		if err := tw.WriteHeader(e.hdr); err != nil {
			return err
		}
		if e.hdr.Typeflag == tar.TypeReg {
			if err := copyFile(tw, e); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// copyFile copies the size the plan has for e, which a file that grew since
// has, and one that shrank has not.
func copyFile(w io.Writer, e tarEntry) error {
	f, err := os.Open(e.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(w, f, e.hdr.Size); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %s is shorter than when it was offered", ErrSourceChanged, e.path)
		}
		return err
	}
	return nil
}

// extract writes the tar stream r into root, refusing any entry that is
// not a plain file or directory (a sparse file too: archive/tar would
// write its holes out in full, megabytes for a few bytes sent), or whose
// path leads outside root, and writing no more than budget bytes of files
// in all: the files of a stream are inside it. It reads r to its end.
// wrap, when set, stands between each file and what is written to it.
func extract(r io.Reader, root *os.Root, budget int64, wrap func(partFile) partFile) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: a damaged tar stream: %v", ErrProtocol, err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if isSparse(hdr) {
			return fmt.Errorf("%w: %q is a sparse file", ErrUnsafeEntry, SanitizeName(hdr.Name))
		}
		name, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o777); err != nil {
				return fmt.Errorf("%w: %w", ErrWrite, err)
			}
		case tar.TypeReg:
			if hdr.Size > budget {
				return fmt.Errorf("%w: %q says it holds more than the stream offered", ErrProtocol, name)
			}
			budget -= hdr.Size
			if err := extractFile(io.LimitReader(tr, hdr.Size), root, name, wrap); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %q is a link or a special file", ErrUnsafeEntry, SanitizeName(hdr.Name))
		}
	}
	// Read past the end-of-archive blocks, so the writer is never left
	// waiting.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	return nil
}

// isSparse reports whether hdr is a GNU sparse file, in the old GNU form
// or in PAX records.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for key := range hdr.PAXRecords {
		if strings.HasPrefix(key, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func extractFile(r io.Reader, root *os.Root, name string, wrap func(partFile) partFile) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o777); err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %q is in it twice", ErrUnsafeEntry, name)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	var pf partFile = f
	if wrap != nil {
		pf = wrap(f)
	}
	if _, err := io.Copy(pf, r); err != nil {
		f.Close()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: the tar stream ends inside %q", ErrProtocol, name)
		}
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return nil
}

// entryPath checks the name of an entry in a received tar stream and
// returns it with each element sanitized, relative to the directory, with
// "/" between elements. An absolute path, a "..", or an element with
// nothing usable in it is ErrUnsafeEntry.
func entryPath(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) {
		return "", fmt.Errorf("%w: the absolute path %q", ErrUnsafeEntry, SanitizeName(name))
	}
	var elems []string
	for _, elem := range strings.Split(name, "/") {
		switch elem {
		case "", ".":
			continue
		case "..":
			return "", fmt.Errorf("%w: %q leads outside the directory", ErrUnsafeEntry, SanitizeName(name))
		}
		safe := sanitizeComponent(elem)
		if safe == "" {
			return "", fmt.Errorf("%w: %q has an element with nothing usable in it", ErrUnsafeEntry, SanitizeName(name))
		}
		elems = append(elems, safe)
	}
	if len(elems) == 0 {
		return "", fmt.Errorf("%w: an entry with no name", ErrUnsafeEntry)
	}
	return strings.Join(elems, "/"), nil
}
