package console

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// ChatPrompt is drawn before the line being typed.
const ChatPrompt = "> "

// ChatOptions are the streams a Chat runs on, whether each is a terminal,
// and what the peer is told this side is called.
type ChatOptions struct {
	In          io.Reader // a terminal only as an *os.File or another Fd()
	Out, ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool

	// Size reports the size of the terminal on Out, in character cells;
	// nil when Out is not a terminal.
	Size func() (cols, rows int)

	// Name is this side's, shown beside the lines typed.
	Name string
	// Now stamps each message; time.Now when nil.
	Now func() time.Time
}

// Chat is how a chat meets the person. With stdin and stdout on a
// terminal, an Editor keeps the line being typed on the bottom row, under
// the messages and status lines that arrive, and each message shows its
// time and who wrote it. Otherwise lines are read plainly, and each message
// from the peer is printed as its text alone on a line when stdout is not
// a terminal (for scripts; a line break inside a message becomes a space),
// or with its time and the peer's name when it is. With stdin and only
// stderr on a terminal (stdout kept in a file or piped), the editor works
// on stderr: the peer's messages go plainly to stdout, and the lines typed
// are shown on stderr.
//
// While a person watches stderr on a terminal, a status line (a
// transfer's progress) is redrawn in place: a row above the line being
// typed, or the bottom row when nothing is typed there.
type Chat struct {
	opts ChatOptions

	out, errOut swapWriter  // through the editor once it runs
	mine        *swapWriter // where the lines typed are shown: out, or errOut when only stderr is the screen

	mu     sync.Mutex
	peer   string
	stdin  *bufio.Reader
	editor *Editor
	status *Status       // the status line without an editor
	reset  func() error  // gives the terminal back its line mode
	stop   chan struct{} // closed to stop the redrawing
	closed bool
}

// NewChat returns a chat on the streams of opts. It reads nothing until
// Start.
func NewChat(opts ChatOptions) *Chat {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Chat{opts: opts, peer: "peer"}
	c.out.set(opts.Out)
	c.errOut.set(opts.ErrOut)
	c.mine = &c.out
	return c
}

// Out is stdout as the chat keeps it: lines written there appear above the
// line being typed.
func (c *Chat) Out() io.Writer { return &c.out }

// ErrOut is stderr as the chat keeps it, for status lines.
func (c *Chat) ErrOut() io.Writer { return &c.errOut }

// Start begins reading chat lines from stdin, once whatever came before
// (the exchange of codes) has read what it needed from it. On a terminal,
// the line editor takes the terminal over until Close; without one, a
// status line is kept on stderr when that is a terminal.
func (c *Chat) Start(stdin *bufio.Reader) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stdin = stdin
	if c.closed {
		return
	}
	if !c.startEditor(stdin) {
		c.startStatus()
	}
}

// startEditor starts the line editor, if stdin and stdout or stderr are a
// terminal.
func (c *Chat) startEditor(stdin *bufio.Reader) bool {
	o := c.opts
	in, ok := o.In.(fder)
	if !o.InTTY || !ok {
		return false
	}
	// The line is drawn on stdout, or on stderr when only that is the
	// terminal (stdout kept in a file, say).
	screen, size := o.Out, o.Size
	if !o.OutTTY || size == nil {
		if size = c.errSize(); size == nil {
			return false
		}
		screen = o.ErrOut
	}
	reset, err := CharMode(int(in.Fd()))
	if err != nil {
		return false // the terminal's own line editing, then
	}
	c.reset = reset
	c.editor = New(stdin, screen, Options{
		Prompt: ChatPrompt,
		Width:  func() int { cols, _ := size(); return cols },
	})
	if screen == o.Out {
		c.out.set(c.editor.Above(o.Out))
	} else {
		c.mine = &c.errOut // stdout is for the peer's messages alone
	}
	c.errOut.set(c.editor.Above(o.ErrOut))
	c.stop = make(chan struct{})
	go c.redraw(c.editor, c.stop)
	return true
}

// startStatus keeps a status line on stderr, if that is a terminal, under
// the lines written there (and on stdout, when that is a terminal too).
func (c *Chat) startStatus() {
	size := c.errSize()
	if size == nil {
		return
	}
	c.status = NewStatus(c.opts.ErrOut, func() int { cols, _ := size(); return cols })
	if c.opts.OutTTY {
		c.out.set(c.status.Above(c.opts.Out))
	}
	c.errOut.set(c.status.Above(c.opts.ErrOut))
}

// errSize returns the size of the terminal on stderr; nil when stderr is
// not one.
func (c *Chat) errSize() func() (int, int) {
	f, ok := c.opts.ErrOut.(fder)
	if !c.opts.ErrTTY || !ok {
		return nil
	}
	return func() (int, int) {
		cols, rows, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 80, 24
		}
		return cols, rows
	}
}

// ShowStatus shows text on the status line, a row redrawn in place under
// the chat, in place of what it showed; "" takes the line away. It reports
// whether a person sees it: it is shown only where status lines go, on
// stderr, and only when that is a terminal.
func (c *Chat) ShowStatus(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed || !c.opts.ErrTTY:
		return false
	case c.editor != nil:
		c.editor.SetStatus(text)
	case c.status != nil:
		c.status.Set(text)
	default:
		return false
	}
	return true
}

// redrawEvery is how often the line being typed is drawn again, in case
// something wrote over it: a terminal view clears the screen for its first
// picture, and a resized terminal may have wrapped it.
const redrawEvery = time.Second

func (c *Chat) redraw(ed *Editor, stop <-chan struct{}) {
	tick := time.NewTicker(redrawEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			ed.Redraw()
		}
	}
}

// Close takes the editor off the terminal and gives it back as it was.
func (c *Chat) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	switch {
	case c.editor != nil:
		close(c.stop)
		c.editor.Close()
	case c.status != nil:
		c.status.Close()
	default:
		return
	}
	c.out.set(c.opts.Out)
	c.errOut.set(c.opts.ErrOut)
	if c.reset != nil {
		c.reset()
		c.reset = nil
	}
}

// ReadLine returns the next line the person typed or piped in, without its
// line ending; io.EOF at the end of input (Ctrl-D on a terminal).
func (c *Chat) ReadLine() (string, error) {
	c.mu.Lock()
	ed, in, mine := c.editor, c.stdin, c.mine
	c.mu.Unlock()
	if ed != nil {
		line, err := ed.ReadLine()
		switch {
		case err != nil || line == "":
		case strings.HasPrefix(line, "/"):
			fmt.Fprintln(mine, ChatPrompt+line) // a command, as typed
		default:
			c.show(mine, c.opts.Name, line)
		}
		return line, err
	}
	line, err := in.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// PeerNamed records the name the peer gave.
func (c *Chat) PeerNamed(name string) {
	c.mu.Lock()
	c.peer = name
	c.mu.Unlock()
}

// Received prints a message from the peer.
func (c *Chat) Received(text string) {
	if !c.opts.OutTTY {
		// One message a line, whatever it holds, and nothing a terminal
		// would obey: a script reads lines, and a person may cat the file.
		fmt.Fprintln(&c.out, Escape(lineBreaks.Replace(text), KeepTabs))
		return
	}
	c.mu.Lock()
	peer := c.peer
	c.mu.Unlock()
	c.show(&c.out, peer, text)
}

// ReceivedFrom prints a message from one of the people of a group call,
// with their name: "15:04 bob: text" on a terminal, "bob: text" for a
// script, which reads one message a line.
func (c *Chat) ReceivedFrom(name, text string) {
	if !c.opts.OutTTY {
		fmt.Fprintln(&c.out, Escape(name+": "+lineBreaks.Replace(text), KeepTabs))
		return
	}
	c.show(&c.out, name, text)
}

// show prints a chat line for a person: "15:04 alice: text", with anything
// that could steer the terminal made visible.
func (c *Chat) show(w io.Writer, who, text string) {
	text = strings.ReplaceAll(Escape(text, KeepTabs|KeepLineBreaks), "\n", "\n      ")
	fmt.Fprintf(w, "%s %s: %s\n", c.opts.Now().Format("15:04"), Escape(who, 0), text)
}

// fder is a stream with a file descriptor, such as an *os.File.
type fder interface{ Fd() uintptr }

// swapWriter writes to a writer that can be changed while others write.
type swapWriter struct {
	w  atomic.Pointer[io.Writer]
	mu sync.Mutex // one line at a time
}

func (s *swapWriter) set(w io.Writer) { s.w.Store(&w) }

func (s *swapWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return (*s.w.Load()).Write(p)
}
