// Package console is a chat on a terminal: the line being typed stays on
// the bottom row, and lines printed while it is typed (a message from the
// peer, a status line) appear above it, so that nothing tears it.
//
// An Editor reads keys from a terminal in character mode (CharMode puts
// one there and keeps the terminal's own output processing, so every other
// writer's "\n" still starts a new line) and draws the line with a few ANSI
// sequences on one row, scrolled sideways when it is longer than the row.
// It knows the width of wide and combining characters, so the cursor stays
// where the characters are.
//
// A status row, such as a transfer's progress, can be kept just above the
// line being typed and redrawn in place (Editor.SetStatus); Status keeps
// one alone on the bottom row of a terminal where nothing is typed.
//
// Chat puts these together for a call: it picks, from which of stdin,
// stdout and stderr are terminals, where the line is edited, where the
// peer's messages go and how they look, and keeps the status line.
//
// Escape is the one place where text from elsewhere (a peer's chat, a
// name, a code) is made safe to print, on a terminal or into a file or
// pipe: whatever could steer a terminal is written out visibly.
//
// golang.org/x/term's Terminal does much the same, but counts every rune as
// one column and wants the terminal fully raw, which would break the lines
// that the rest of pigeon (and the terminal view) writes; this one is small
// enough to read in one sitting.
package console
