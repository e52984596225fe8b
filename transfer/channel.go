package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Channel is the part of a *webrtc.DataChannel a transfer uses; a
// *webrtc.DataChannel is one. A transfer takes the channel over: it sets
// all of these handlers, and closes the channel when it ends.
type Channel interface {
	Send(data []byte) error
	SendText(text string) error
	OnOpen(f func())
	OnClose(f func())
	OnMessage(f func(webrtc.DataChannelMessage))
	BufferedAmount() uint64
	SetBufferedAmountLowThreshold(threshold uint64)
	OnBufferedAmountLow(f func())
	Close() error
}

var _ Channel = (*webrtc.DataChannel)(nil)

// link is one side's hold on a transfer's channel: pion's callbacks turned
// into channels that the side's goroutine selects on.
type link struct {
	ch Channel

	opened chan struct{} // closed when the channel opens
	closed chan struct{} // closed when the channel closes
	msgs   chan webrtc.DataChannelMessage
	more   chan struct{} // the buffered amount fell to the low threshold
	stop   chan struct{} // closed by finish: the side no longer reads msgs

	openOnce, closeOnce, stopOnce sync.Once
}

// newLink sets the channel's handlers. queue is how many messages may wait
// for the side to read them; beyond that pion's read loop waits too, the
// SCTP receive window fills, and the peer slows down: that is what keeps
// the receiver's memory flat when its disk is slower than the network.
func newLink(ch Channel, queue int) *link {
	l := &link{
		ch:     ch,
		opened: make(chan struct{}),
		closed: make(chan struct{}),
		msgs:   make(chan webrtc.DataChannelMessage, queue),
		more:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
	}
	ch.OnOpen(func() { l.openOnce.Do(func() { close(l.opened) }) })
	ch.OnClose(func() { l.closeOnce.Do(func() { close(l.closed) }) })
	ch.OnMessage(func(msg webrtc.DataChannelMessage) {
		select {
		case l.msgs <- msg:
		case <-l.stop:
		}
	})
	ch.OnBufferedAmountLow(func() {
		select {
		case l.more <- struct{}{}:
		default:
		}
	})
	return l
}

// waitOpen waits for the channel to open.
func (l *link) waitOpen(ctx context.Context) error {
	select {
	case <-l.opened:
		return nil
	case <-l.closed:
		return ErrInterrupted
	case <-ctx.Done():
		return canceled(ctx)
	}
}

// next returns the next message from the peer. Messages that arrived before
// the channel closed are all returned before ErrInterrupted: pion hands
// each message over before it reports the close.
func (l *link) next(ctx context.Context) (webrtc.DataChannelMessage, error) {
	if ctx.Err() != nil {
		// Checked first: with messages always waiting, the select below
		// would rarely choose the context.
		return webrtc.DataChannelMessage{}, canceled(ctx)
	}
	select {
	case msg := <-l.msgs:
		return msg, nil
	default:
	}
	select {
	case msg := <-l.msgs:
		return msg, nil
	case <-l.closed:
		select {
		case msg := <-l.msgs:
			return msg, nil
		default:
			return webrtc.DataChannelMessage{}, ErrInterrupted
		}
	case <-ctx.Done():
		return webrtc.DataChannelMessage{}, canceled(ctx)
	}
}

// nextControl returns the next message, which must be a control message.
func (l *link) nextControl(ctx context.Context) (control, error) {
	msg, err := l.next(ctx)
	if err != nil {
		return control{}, err
	}
	if !msg.IsString {
		return control{}, fmt.Errorf("%w: data where a control message was expected", ErrProtocol)
	}
	return parseControl(msg.Data)
}

// send sends a control message.
func (l *link) send(c control) error {
	return l.write(func() error { return l.ch.SendText(c.marshal()) })
}

// sendData sends a chunk of the data.
func (l *link) sendData(p []byte) error {
	return l.write(func() error { return l.ch.Send(p) })
}

// write runs one send. The stream can refuse a write a moment before pion
// tells of the close and hands over the peer's last message, so a failed
// write waits for both, and reports the peer's cancel if that was it.
func (l *link) write(send func() error) error {
	err := send()
	if err == nil {
		return nil
	}
	select {
	case <-l.closed:
	case <-time.After(closeGrace):
	}
	if perr := l.closedError(); !errors.Is(perr, ErrInterrupted) {
		return perr
	}
	return fmt.Errorf("%w: %w", ErrInterrupted, err)
}

// closeGrace is how long a failed write waits for pion to report the close.
const closeGrace = 200 * time.Millisecond

// closedError is the error for a channel that has closed: the peer's
// cancel, if one arrived just before the close and is still unread, or
// else ErrInterrupted. A peer that cancels closes right after, so a side
// busy sending may see the close first.
func (l *link) closedError() error {
	for {
		select {
		case msg := <-l.msgs:
			if !msg.IsString {
				continue
			}
			if c, err := parseControl(msg.Data); err == nil && c.Type == typeCancel {
				return fromPeer(reasonError(c.Reason))
			}
		default:
			return ErrInterrupted
		}
	}
}

// waitLow waits until no more than high bytes are queued on the channel.
// The low-threshold event fires only when the amount falls from above the
// threshold to it, so the amount is checked again after every wake-up.
func (l *link) waitLow(ctx context.Context, high uint64) error {
	for l.ch.BufferedAmount() > high {
		select {
		case <-l.more:
		case <-l.closed:
			return l.closedError()
		case <-ctx.Done():
			return canceled(ctx)
		}
	}
	return nil
}

// cancel tells the peer why this side is stopping, then closes.
func (l *link) cancel(reason string) {
	_ = l.send(control{Type: typeCancel, Reason: reason})
	l.finish()
}

// fail ends the transfer on err and returns err. It tells the peer why,
// unless the peer is why or is gone, and closes the channel.
func (l *link) fail(err error) error {
	var pe peerError
	if errors.As(err, &pe) || errors.Is(err, ErrInterrupted) {
		l.finish()
	} else {
		l.cancel(reasonFor(err))
	}
	return err
}

// reasonFor is the reason a cancel gives the peer for err.
func reasonFor(err error) string {
	switch {
	case errors.Is(err, ErrCanceled):
		return reasonCanceled
	case errors.Is(err, ErrChecksum):
		return reasonChecksum
	case errors.Is(err, ErrWrite):
		return reasonWrite
	case errors.Is(err, ErrProtocol), errors.Is(err, ErrUnsafeEntry):
		return reasonProtocol
	}
	return reasonSource // the sender's own trouble: reading, or the file changing
}

// peerError is an error the peer reported, which needs no cancel in reply.
type peerError struct{ error }

func (e peerError) Unwrap() error { return e.error }

func fromPeer(err error) error { return peerError{err} }

// finish stops reading and closes the channel. Whatever was queued before
// still reaches the peer.
func (l *link) finish() {
	l.stopOnce.Do(func() {
		close(l.stop)
		_ = l.ch.Close()
	})
}

// canceled is the error for a context that ended.
func canceled(ctx context.Context) error {
	return fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
}
