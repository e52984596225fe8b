package render

import (
	"errors"

	"github.com/pigeon-call/pigeon/render/speaker"
	"github.com/pigeon-call/pigeon/render/window"
)

var (
	// ErrNoDisplay means a window was asked for where there is no display.
	ErrNoDisplay = window.ErrNoDisplay
	// ErrNoSound means no sound device could be opened: the call goes on
	// without sound.
	ErrNoSound = speaker.ErrNoSound
	// ErrNoSuchSpeaker means Options.Speaker names no playback device.
	ErrNoSuchSpeaker = speaker.ErrNoSuchDevice
	// ErrUnknownView means Options.View is none of the views.
	ErrUnknownView = errors.New("unknown view")
	// ErrNoTerminal means the terminal view was asked for without a
	// terminal to draw on (Options.Terminal and Options.TerminalSize).
	ErrNoTerminal = errors.New("no terminal to draw on")
)
