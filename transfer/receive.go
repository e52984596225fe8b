package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
)

// ReceiveOptions configures Receive.
type ReceiveOptions struct {
	// Dir is the download directory; the current directory by default.
	Dir string
	// Accept is asked whether to take each offer; it may wait for a person.
	// If the peer gives up meanwhile, the transfer ends once Accept
	// returns. With neither Accept nor AcceptAll, every offer is declined.
	Accept func(Offer) bool
	// AcceptAll takes every offer without asking.
	AcceptAll bool
	// MaxSize is the most bytes one transfer may bring (for a directory,
	// its tar stream); 0 sets no limit. A larger offer, or one larger than
	// the free space of Dir, is declined with ErrTooLarge before Accept is
	// asked, and the peer is told the limit.
	MaxSize int64
	// OnProgress is told how the transfer goes, every ProgressInterval and
	// once at the end. Bytes counts what was written. It is called from the
	// transfer's goroutine and should return quickly.
	OnProgress func(Progress)

	wrap func(partFile) partFile // tests: stands between the data and the disk
}

// Incoming is a transfer the peer started.
type Incoming struct {
	done chan struct{}
	res  Result
	err  error
}

// Receive takes over ch, a channel the peer opened with Label, and saves
// what arrives on it into opts.Dir. It sets ch's handlers before it returns,
// so call it from pion's OnDataChannel, before the channel delivers its
// first message; the transfer then runs in a goroutine of its own until it
// ends, ctx ends (the peer is told), or ch closes.
func Receive(ctx context.Context, ch Channel, opts ReceiveOptions) *Incoming {
	in := &Incoming{done: make(chan struct{})}
	l := newLink(ch, receiveQueue)
	go func() {
		defer close(in.done)
		in.res, in.err = receive(ctx, l, opts)
	}()
	return in
}

// Wait waits for the transfer to end. It returns where the file or
// directory was saved, or why nothing was: ErrDeclined, ErrCanceled,
// ErrTooLarge, ErrPeerCanceled, ErrInterrupted, ErrChecksum, ErrWrite (which wraps the
// system's error, such as syscall.ENOSPC), ErrUnsafeEntry or ErrProtocol.
// With ErrDeclined or ErrTooLarge, the Result names what was declined: the offer's
// sanitized name, its kind and size.
// Whatever the error, nothing is left under the final name, nor in a part
// file.
func (in *Incoming) Wait() (Result, error) {
	<-in.done
	return in.res, in.err
}

// Done is closed when the transfer has ended.
func (in *Incoming) Done() <-chan struct{} { return in.done }

// receive runs the receiver's side of the protocol.
func receive(ctx context.Context, l *link, opts ReceiveOptions) (Result, error) {
	defer l.finish()
	c, err := l.nextControl(ctx)
	if err != nil {
		return Result{}, l.fail(err)
	}
	offer, err := parseOffer(c)
	if err != nil {
		return Result{}, l.fail(err)
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if reason, limit, err := checkSize(offer, opts.MaxSize, dir); err != nil {
		_ = l.send(control{Type: typeDecline, Reason: reason, Size: limit})
		return Result{Name: offer.Name, Kind: offer.Kind, Size: offer.Size}, err
	}
	if !(opts.AcceptAll || opts.Accept != nil && opts.Accept(offer)) {
		_ = l.send(control{Type: typeDecline})
		return Result{Name: offer.Name, Kind: offer.Kind, Size: offer.Size}, ErrDeclined
	}
	if err := ctx.Err(); err != nil {
		return Result{}, l.fail(canceled(ctx))
	}

	out, err := newSink(dir, offer, opts.wrap)
	if err != nil {
		return Result{}, l.fail(err)
	}
	res, err := save(ctx, l, offer, out, opts)
	if err != nil {
		out.abort()
		return Result{}, l.fail(err)
	}
	_ = l.send(control{Type: typeDone})
	return res, nil
}

// save accepts the offer and writes what arrives to out, up to the commit.
func save(ctx context.Context, l *link, offer Offer, out sink, opts ReceiveOptions) (Result, error) {
	if err := l.send(control{Type: typeAccept}); err != nil {
		return Result{}, err
	}
	m := newMeter(opts.OnProgress, offer.Name, offer.Kind, offer.Size)
	m.update(0)
	h := sha256.New()
	var got int64
	var end control
	for end.Type == "" {
		msg, err := l.next(ctx)
		if err != nil {
			return Result{}, err
		}
		if msg.IsString {
			if end, err = endOf(msg.Data); err != nil {
				return Result{}, err
			}
			continue
		}
		got += int64(len(msg.Data))
		if got > offer.Size {
			return Result{}, fmt.Errorf("%w: more data than the %d bytes offered", ErrProtocol, offer.Size)
		}
		h.Write(msg.Data)
		if _, err := out.Write(msg.Data); err != nil {
			return Result{}, fmt.Errorf("saving %s: %w", offer.Name, err)
		}
		m.update(got)
	}

	if sum := hex.EncodeToString(h.Sum(nil)); got != offer.Size || sum != end.SHA256 {
		return Result{}, fmt.Errorf("%w (%s: %d of %d bytes arrived)", ErrChecksum, offer.Name, got, offer.Size)
	}
	if err := out.finish(); err != nil {
		return Result{}, fmt.Errorf("saving %s: %w", offer.Name, err)
	}
	path, err := out.commit()
	if err != nil {
		return Result{}, fmt.Errorf("saving %s: %w", offer.Name, err)
	}
	m.done()
	return Result{
		Name: filepath.Base(path), Path: path, Kind: offer.Kind, Size: offer.Size,
		SHA256: end.SHA256, Elapsed: m.elapsed(),
	}, nil
}

// endOf reads a control message that arrived with the data: the end, or a
// cancel.
func endOf(data []byte) (control, error) {
	c, err := parseControl(data)
	if err != nil {
		return control{}, err
	}
	switch c.Type {
	case typeEnd:
		return c, nil
	case typeCancel:
		return control{}, fromPeer(reasonError(c.Reason))
	}
	return control{}, fmt.Errorf("%w: %q while data arrived", ErrProtocol, c.Type)
}

// checkSize refuses an offer larger than max (when set) or than the free
// space of dir (when known), and returns the reason and the limit the peer
// is told.
func checkSize(offer Offer, max int64, dir string) (reason string, limit int64, err error) {
	if max > 0 && offer.Size > max {
		return reasonTooLarge, max, overMaxSize{fmt.Errorf("%w: %s is %s, more than the %s this side takes at a time",
			ErrTooLarge, offer.Name, FormatBytes(offer.Size), FormatBytes(max))}
	}
	if free, ok := freeSpace(dir); ok && offer.Size > free {
		return reasonNoSpace, free, fmt.Errorf("%w: %s is %s, and %s has only %s free",
			ErrTooLarge, offer.Name, FormatBytes(offer.Size), dir, FormatBytes(free))
	}
	return "", 0, nil
}

// overMaxSize is an offer refused for ReceiveOptions.MaxSize: it matches
// ErrOverMaxSize, and what it wraps (ErrTooLarge).
type overMaxSize struct{ error }

func (e overMaxSize) Is(target error) bool { return target == ErrOverMaxSize }
func (e overMaxSize) Unwrap() error        { return e.error }
