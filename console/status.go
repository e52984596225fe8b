package console

import (
	"io"
	"strings"
)

// Status keeps a line of status, such as the progress of a transfer, on
// the bottom row of a terminal where nothing is typed (the input is a
// pipe), redrawn in place, under the lines written through Above. It is an
// Editor's status row without the line being edited.
type Status struct{ e *Editor }

// NewStatus returns a status line drawn on out, the terminal; width
// reports its width in columns (80 when nil).
func NewStatus(out io.Writer, width func() int) *Status {
	return &Status{e: New(strings.NewReader(""), out, Options{Width: width})}
}

// Set shows text in place of the status shown before; "" takes the line
// away. See Editor.SetStatus.
func (s *Status) Set(text string) { s.e.SetStatus(text) }

// Above returns a writer whose lines appear above the status line. See
// Editor.Above.
func (s *Status) Above(w io.Writer) io.Writer { return s.e.Above(w) }

// Close takes the status line off the screen for good.
func (s *Status) Close() { s.e.Close() }
