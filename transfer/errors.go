package transfer

import "errors"

// The errors a transfer ends with, for callers to match with errors.Is. Each
// message is written for the person watching the transfer.
var (
	// ErrDeclined means the receiver said no to the offer.
	ErrDeclined = errors.New("the transfer was declined")

	// ErrCanceled means this side stopped the transfer: its context was
	// cancelled. The peer is told.
	ErrCanceled = errors.New("the transfer was cancelled")

	// ErrPeerCanceled means the peer stopped the transfer.
	ErrPeerCanceled = errors.New("the peer cancelled the transfer")

	// ErrInterrupted means the channel closed before the transfer ended:
	// the call ended or its connection was lost.
	ErrInterrupted = errors.New("the transfer was cut short: the connection closed before it ended")

	// ErrChecksum means the data that arrived is not what the sender sent:
	// its SHA-256 or its length differs. Nothing was saved.
	ErrChecksum = errors.New("the received data does not match the sender's checksum: nothing was saved; send it again")

	// ErrWrite means the receiver could not save the data, for example
	// because its disk is full. The error also wraps the system's error.
	ErrWrite = errors.New("could not save the received data")

	// ErrPeerWrite means the peer could not save what this side sent, for
	// example because its disk is full.
	ErrPeerWrite = errors.New("the peer could not save the transfer (its disk may be full)")

	// ErrProtocol means the peer sent something a pigeon transfer never
	// holds: a malformed offer, a message out of turn, or more data than
	// it announced.
	ErrProtocol = errors.New("the peer broke the transfer protocol")

	// ErrUnsafeEntry means a received directory holds an entry pigeon will
	// not create: a path that leads outside the directory, or something
	// other than a plain file or directory (a link, a device, a FIFO, a
	// sparse file, whose holes would be written out in full). Nothing was
	// saved.
	ErrUnsafeEntry = errors.New("the received directory holds an unsafe entry: nothing was saved")

	// ErrTooLarge means an offer was refused for its size, before anything
	// was sent: it is larger than the receiver takes
	// (ReceiveOptions.MaxSize), or than the free space where it would be
	// saved. Both sides end with it, with the limit in the message.
	ErrTooLarge = errors.New("the transfer is too large")

	// ErrOverMaxSize means the receiver refused an offer as larger than
	// its ReceiveOptions.MaxSize; the error matches ErrTooLarge as well.
	ErrOverMaxSize = errors.New("the transfer is larger than this side takes")

	// ErrSourceChanged means a file being sent grew shorter while it was
	// read, so the data cannot match what was offered.
	ErrSourceChanged = errors.New("the file changed while it was being sent: send it again")

	// ErrNotSendable means the path to send is neither a regular file nor a
	// directory.
	ErrNotSendable = errors.New("only files and directories can be sent")
)
