package transfer

import (
	"encoding/json"
	"fmt"
)

// Label is the label of every transfer's data channel. The receiver hands
// each channel the peer opens with this label to Receive.
const Label = "pigeon-file"

// A transfer on its channel, in order:
//
//	sender                            receiver
//	offer {name, size, kind}    →
//	                            ←     accept | decline
//	binary chunks ...           →
//	end {sha256}                →
//	                            ←     done | cancel {reason}
//
// Control messages are JSON in text messages; data is binary messages and
// nothing else, so chunks carry no framing. Either side may send cancel at
// any time and then close the channel. Whoever reads the last message closes
// the channel; pion delivers what was queued before a close.
const (
	typeOffer   = "offer"
	typeAccept  = "accept"
	typeDecline = "decline"
	typeEnd     = "end"
	typeDone    = "done"
	typeCancel  = "cancel"
)

// protocolVersion is the version an offer carries; a receiver declines an
// offer of a newer version.
const protocolVersion = 1

// Reasons a cancel carries. Only these codes travel: the text a person reads
// is made on their own side, so a peer cannot put arbitrary text, or
// terminal escapes, on the screen.
const (
	reasonCanceled = "canceled" // the person stopped it
	reasonChecksum = "checksum" // the data did not match
	reasonWrite    = "write"    // the receiver could not save it
	reasonSource   = "source"   // the sender could not read it
	reasonProtocol = "protocol" // the other side broke the protocol
)

// Reasons a decline carries, with the limit in Size; a pigeon that knows
// none of them takes a plain decline.
const (
	reasonTooLarge = "size"  // larger than the receiver takes
	reasonNoSpace  = "space" // larger than the free space of the download directory
)

// Limits on what a peer may send before a transfer is accepted.
const (
	maxControlSize = 4 << 10 // bytes of one control message
	maxOfferedName = 1 << 10 // bytes of the name in an offer
)

// Kind says what is being sent.
type Kind string

const (
	// File is a regular file, sent as it is.
	File Kind = "file"
	// Dir is a directory, sent as a tar stream of its files and
	// subdirectories.
	Dir Kind = "dir"
)

// Offer is what the receiver is asked to accept.
type Offer struct {
	// Name is the name the transfer will be saved under, already
	// sanitized; " (1)" and so on is added if the name is taken.
	Name string
	// Size is the number of bytes that will arrive: the file's size, or the
	// length of the directory's tar stream.
	Size int64
	// Kind is File or Dir.
	Kind Kind
}

// control is one control message.
type control struct {
	Type    string `json:"type"`
	Version int    `json:"version,omitempty"`
	Name    string `json:"name,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Kind    Kind   `json:"kind,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (c control) marshal() string {
	data, err := json.Marshal(c)
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	return string(data)
}

func parseControl(data []byte) (control, error) {
	if len(data) > maxControlSize {
		return control{}, fmt.Errorf("%w: a control message of %d bytes", ErrProtocol, len(data))
	}
	var c control
	if err := json.Unmarshal(data, &c); err != nil || c.Type == "" {
		return control{}, fmt.Errorf("%w: a malformed control message", ErrProtocol)
	}
	return c, nil
}

// parseOffer checks an offer and returns it with its name sanitized.
func parseOffer(c control) (Offer, error) {
	switch {
	case c.Type != typeOffer:
		return Offer{}, fmt.Errorf("%w: %q where an offer was expected", ErrProtocol, c.Type)
	case c.Version > protocolVersion:
		return Offer{}, fmt.Errorf("%w: the peer's pigeon is newer (transfer version %d); update pigeon", ErrProtocol, c.Version)
	case c.Kind != File && c.Kind != Dir:
		return Offer{}, fmt.Errorf("%w: an offer of an unknown kind", ErrProtocol)
	case c.Size < 0:
		return Offer{}, fmt.Errorf("%w: an offer of a negative size", ErrProtocol)
	case len(c.Name) > maxOfferedName:
		return Offer{}, fmt.Errorf("%w: an offered name of %d bytes", ErrProtocol, len(c.Name))
	}
	return Offer{Name: SanitizeName(c.Name), Size: c.Size, Kind: c.Kind}, nil
}

// declineError is the error a sender ends with when the receiver declines
// for c's reason.
func declineError(c control) error {
	switch c.Reason {
	case reasonTooLarge:
		return fmt.Errorf("%w: the peer takes at most %s at a time", ErrTooLarge, FormatBytes(c.Size))
	case reasonNoSpace:
		return fmt.Errorf("%w: the peer's download directory has only %s free", ErrTooLarge, FormatBytes(c.Size))
	}
	return ErrDeclined
}

// reasonError is the error a side ends with when the peer cancels for reason.
func reasonError(reason string) error {
	switch reason {
	case reasonCanceled:
		return ErrPeerCanceled
	case reasonChecksum:
		return ErrChecksum
	case reasonWrite:
		return ErrPeerWrite
	case reasonSource:
		return fmt.Errorf("%w: it could not read what it was sending", ErrPeerCanceled)
	case reasonProtocol:
		return fmt.Errorf("%w: it says this side broke the transfer protocol", ErrPeerCanceled)
	}
	return ErrPeerCanceled
}
