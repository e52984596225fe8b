package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// SendOptions configures Send. All of it is optional.
type SendOptions struct {
	// Name is the name offered to the peer; by default the path's last
	// element. The receiver sanitizes it whatever it is.
	Name string
	// OnProgress is told how the transfer goes, every ProgressInterval and
	// once at the end. Bytes counts what the peer has acknowledged. It is
	// called from Send's goroutine and should return quickly.
	OnProgress func(Progress)

	flow flow // zero: defaultFlow
}

// Result describes a finished transfer.
type Result struct {
	// Name is the name sent, or the name it was saved under.
	Name string
	// Path is where the receiver saved it; empty for the sender.
	Path string
	Kind Kind
	// Size is the number of bytes that travelled: the file's size, or the
	// directory's tar stream.
	Size int64
	// SHA256 is the hexadecimal checksum of those bytes, which both sides
	// agree on.
	SHA256  string
	Elapsed time.Duration
	// Skipped counts what a directory held that was not sent: symbolic
	// links, devices, sockets and pipes.
	Skipped int
}

// Send offers the file or directory at path to the peer on ch, waits for
// the peer to accept it, and sends it. It returns once the peer has saved
// it, and otherwise with ErrDeclined, ErrTooLarge, ErrCanceled (ctx ended; the peer is
// told), ErrPeerCanceled, ErrPeerWrite, ErrChecksum, ErrInterrupted (the
// channel closed), ErrSourceChanged or a read error. ch may still be
// opening; Send takes it over and closes it. A channel that never opens is
// waited for until ctx ends: end ctx with the call.
//
// Memory stays the same whatever the size: at most a few MiB wait on ch.
func Send(ctx context.Context, ch Channel, path string, opts SendOptions) (Result, error) {
	src, err := openSource(path)
	if err != nil {
		_ = ch.Close()
		return Result{}, err
	}
	defer src.Close()
	if opts.Name != "" {
		src.name = opts.Name
	}
	src.name = cutRunes(src.name, maxOfferedName)
	return send(ctx, ch, src, opts)
}

// source is what a sender reads: exactly size bytes from r.
type source struct {
	name    string
	kind    Kind
	size    int64
	r       io.Reader
	close   func() error
	skipped int
}

func (s *source) Close() error { return s.close() }

// openSource opens a file, or plans a directory's tar stream, so that any
// error shows before anything is offered.
func openSource(path string) (*source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	if abs, err := filepath.Abs(path); err == nil {
		name = filepath.Base(abs) // "." is the directory's own name
	}
	switch {
	case info.Mode().IsRegular():
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		return &source{name: name, kind: File, size: info.Size(), r: f, close: f.Close}, nil
	case info.IsDir():
		// A link to a directory is followed, as the person asked for it;
		// the links inside it are not.
		root, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		plan, err := planDir(root)
		if err != nil {
			return nil, err
		}
		r, stop := plan.stream()
		return &source{name: name, kind: Dir, size: plan.size, r: r, close: stop, skipped: plan.skipped}, nil
	}
	return nil, fmt.Errorf("%w: %s is a %s", ErrNotSendable, path, describeMode(info.Mode()))
}

func describeMode(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// send runs the sender's side of the protocol for src.
func send(ctx context.Context, ch Channel, src *source, opts SendOptions) (Result, error) {
	fl := opts.flow
	if fl.chunk == 0 {
		fl = defaultFlow
	}
	l := newLink(ch, 4)
	defer l.finish()
	ch.SetBufferedAmountLowThreshold(fl.low)
	if err := l.waitOpen(ctx); err != nil {
		return Result{}, err
	}

	err := l.send(control{Type: typeOffer, Version: protocolVersion, Name: src.name, Size: src.size, Kind: src.kind})
	if err != nil {
		return Result{}, err
	}
	c, err := l.nextControl(ctx)
	if err != nil {
		return Result{}, l.fail(err)
	}
	switch c.Type {
	case typeAccept:
	case typeDecline:
		return Result{}, declineError(c)
	case typeCancel:
		return Result{}, fromPeer(reasonError(c.Reason))
	default:
		return Result{}, l.fail(fmt.Errorf("%w: %q where an answer to the offer was expected", ErrProtocol, c.Type))
	}

	m := newMeter(opts.OnProgress, src.name, src.kind, src.size)
	m.update(0)
	sum, err := stream(ctx, l, src, fl, m)
	if err != nil {
		return Result{}, l.fail(err)
	}
	if err := l.send(control{Type: typeEnd, SHA256: sum}); err != nil {
		return Result{}, err
	}
	if err := waitVerdict(ctx, l, src.size, m); err != nil {
		return Result{}, l.fail(err)
	}
	m.done()
	return Result{Name: src.name, Kind: src.kind, Size: src.size, SHA256: sum, Elapsed: m.elapsed(), Skipped: src.skipped}, nil
}

// stream sends src's bytes in chunks, never letting more than fl.high wait
// on the channel, and returns their SHA-256.
func stream(ctx context.Context, l *link, src *source, fl flow, m *meter) (string, error) {
	h := sha256.New()
	buf := make([]byte, fl.chunk)
	for sent := int64(0); sent < src.size; {
		n := int(min(int64(len(buf)), src.size-sent))
		if _, err := io.ReadFull(src.r, buf[:n]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return "", fmt.Errorf("%w: %s is shorter than when it was offered", ErrSourceChanged, src.name)
			}
			return "", fmt.Errorf("reading %s: %w", src.name, err)
		}
		h.Write(buf[:n])
		if ctx.Err() != nil {
			return "", canceled(ctx)
		}
		if err := l.waitLow(ctx, fl.high); err != nil {
			return "", err
		}
		if err := l.sendData(buf[:n]); err != nil {
			return "", err
		}
		sent += int64(n)
		m.update(sent - int64(l.ch.BufferedAmount()))

		// The receiver speaks only to stop the transfer: look, without
		// waiting.
		select {
		case msg := <-l.msgs:
			return "", unexpected(msg.IsString, msg.Data)
		default:
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// waitVerdict waits for the receiver to say it saved the data, reporting
// progress while the last of it drains from the channel.
func waitVerdict(ctx context.Context, l *link, size int64, m *meter) error {
	tick := time.NewTicker(ProgressInterval)
	defer tick.Stop()
	for {
		select {
		case msg := <-l.msgs:
			return verdict(msg.IsString, msg.Data)
		case <-tick.C:
			m.update(size - int64(l.ch.BufferedAmount()))
		case <-l.closed:
			select {
			case msg := <-l.msgs:
				return verdict(msg.IsString, msg.Data)
			default:
				return ErrInterrupted
			}
		case <-ctx.Done():
			select {
			case msg := <-l.msgs: // too late to cancel: it is saved
				return verdict(msg.IsString, msg.Data)
			default:
				return canceled(ctx)
			}
		}
	}
}

// verdict is nil for the receiver's "done", and the error it means
// otherwise.
func verdict(isString bool, data []byte) error {
	if isString {
		if c, err := parseControl(data); err == nil && c.Type == typeDone {
			return nil
		}
	}
	return unexpected(isString, data)
}

// unexpected is the error for a message from the receiver other than the
// one expected: a cancel, or a breach of the protocol.
func unexpected(isString bool, data []byte) error {
	if !isString {
		return fmt.Errorf("%w: the receiver sent data", ErrProtocol)
	}
	c, err := parseControl(data)
	if err != nil {
		return err
	}
	if c.Type == typeCancel {
		return fromPeer(reasonError(c.Reason))
	}
	return fmt.Errorf("%w: %q out of turn", ErrProtocol, c.Type)
}
