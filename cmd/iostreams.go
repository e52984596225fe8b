package cmd

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams a command uses, and whether each is a
// terminal. Commands never touch os.Stdin and friends directly, so tests hand
// them buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool

	// TerminalSize reports the size of the terminal on Out, in character
	// cells; nil when Out is not a terminal.
	TerminalSize func() (cols, rows int)
}

// System returns the process's own streams.
func System() *IOStreams {
	s := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if s.OutTTY {
		s.TerminalSize = func() (int, int) {
			cols, rows, err := term.GetSize(int(os.Stdout.Fd()))
			if err != nil {
				return 80, 24
			}
			return cols, rows
		}
	}
	return s
}
