package call

import (
	"encoding/json"
	"errors"
)

// The chat channel carries small JSON messages, so that control messages
// (the goodbye now, more later) travel in order with the chat itself.
const (
	typeChat = "chat" // a line of chat, or a part of a long one; Text holds it, ID numbers it
	typeAck  = "ack"  // the chat message ID arrived
	typeBye  = "bye"  // the sender hung up
	// typeMedia says which media the sender is sending, after the user
	// muted the microphone or turned the camera off or on.
	typeMedia = "media"
	// typeHello introduces the sender: Name is what to call them. It is
	// the first message on the channel; a pigeon that does not know it
	// ignores it, as it ignores every type it does not know.
	typeHello = "hello"
	// typeCommit carries Commit, the sender's commitment to the value that
	// goes into the safety number; typeReveal carries Value, the value
	// itself, sent once the peer's commitment came (verify.go).
	typeCommit = "commit"
	typeReveal = "reveal"
)

type message struct {
	Type string `json:"type"`
	ID   uint64 `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
	More bool   `json:"more,omitempty"` // typeChat: Text goes on in the next message
	Name string `json:"name,omitempty"` // typeHello: the sender's name

	Audio *bool `json:"audio,omitempty"` // typeMedia: the microphone is on
	Video *bool `json:"video,omitempty"` // typeMedia: the camera is on

	Commit string `json:"commit,omitempty"` // typeCommit: the commitment, in hexadecimal
	Value  string `json:"value,omitempty"`  // typeReveal: the value, in hexadecimal
}

var errNotMessage = errors.New("not a pigeon chat message")

func (m message) marshal() ([]byte, error) {
	return json.Marshal(m)
}

// sendNow sends m on the chat channel at once, from a handler that knows
// it is open; a failure fails the chat too, and is told there.
func (s *Session) sendNow(m message) {
	if data, err := m.marshal(); err == nil {
		_ = s.chat.Load().SendText(string(data))
	}
}

func parseMessage(data []byte) (message, error) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		return message{}, errNotMessage
	}
	return m, nil
}
