package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/console"
)

// chatPrompt is drawn before the line being typed.
const chatPrompt = "> "

// chatView is how the chat meets the person. With stdin and stdout on a
// terminal, a line editor keeps the line being typed on the bottom row,
// under the messages and status lines that arrive, and each message shows
// its time and who wrote it. Otherwise lines are read plainly, and each
// message from the peer is printed as its text alone on a line when stdout
// is not a terminal (for scripts; a line break inside a message becomes a
// space), or with its time and the peer's name when it is. With stdin and
// only stderr on a terminal (stdout kept in a file or piped), the line
// editor works on stderr: the peer's messages go plainly to stdout, and the
// lines typed are shown on stderr.
//
// While a person watches stderr on a terminal, a status line (a transfer's
// progress) is redrawn in place: a row above the line being typed, or the
// bottom row when nothing is typed there.
type chatView struct {
	io   *IOStreams
	name string // this side's, as the peer is told it
	now  func() time.Time

	out, errOut swapWriter  // through the editor once it runs
	mine        *swapWriter // where the lines typed are shown: out, or errOut when only stderr is the screen

	mu     sync.Mutex
	peer   string
	stdin  *bufio.Reader
	editor *console.Editor
	status *console.Status // the status line without an editor
	reset  func() error    // gives the terminal back its line mode
	stop   chan struct{}   // closed to stop the redrawing
	closed bool
}

func newChatView(streams *IOStreams, name string) *chatView {
	v := &chatView{io: streams, name: name, peer: "peer", now: time.Now}
	v.out.set(streams.Out)
	v.errOut.set(streams.ErrOut)
	v.mine = &v.out
	return v
}

// start begins reading chat lines from stdin, after the exchange of codes
// has read what it needed from it. On a terminal, the line editor takes the
// terminal over until close; without one, a status line is kept on stderr
// when that is a terminal.
func (v *chatView) start(stdin *bufio.Reader) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stdin = stdin
	if v.closed {
		return
	}
	if !v.startEditor(stdin) {
		v.startStatus()
	}
}

// startEditor starts the line editor, if stdin and stdout or stderr are a
// terminal.
func (v *chatView) startEditor(stdin *bufio.Reader) bool {
	in, ok := v.io.In.(fder)
	if !v.io.InTTY || !ok {
		return false
	}
	// The line is drawn on stdout, or on stderr when only that is the
	// terminal (stdout kept in a file, say).
	screen, width := v.io.Out, v.io.TerminalSize
	if !v.io.OutTTY || width == nil {
		if width = v.errSize(); width == nil {
			return false
		}
		screen = v.io.ErrOut
	}
	reset, err := console.CharMode(int(in.Fd()))
	if err != nil {
		return false // the terminal's own line editing, then
	}
	v.reset = reset
	v.editor = console.New(stdin, screen, console.Options{
		Prompt: chatPrompt,
		Width:  func() int { cols, _ := width(); return cols },
	})
	if screen == v.io.Out {
		v.out.set(v.editor.Above(v.io.Out))
	} else {
		v.mine = &v.errOut // stdout is for the peer's messages alone
	}
	v.errOut.set(v.editor.Above(v.io.ErrOut))
	v.stop = make(chan struct{})
	go v.redraw(v.editor, v.stop)
	return true
}

// startStatus keeps a status line on stderr, if that is a terminal, under
// the lines written there (and on stdout, when that is a terminal too).
func (v *chatView) startStatus() {
	width := v.errSize()
	if width == nil {
		return
	}
	v.status = console.NewStatus(v.io.ErrOut, func() int { cols, _ := width(); return cols })
	if v.io.OutTTY {
		v.out.set(v.status.Above(v.io.Out))
	}
	v.errOut.set(v.status.Above(v.io.ErrOut))
}

// errSize returns the size of the terminal on stderr; nil when stderr is
// not one.
func (v *chatView) errSize() func() (int, int) {
	f, ok := v.io.ErrOut.(fder)
	if !v.io.ErrTTY || !ok {
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

// showStatus shows text on the status line, a row redrawn in place under
// the chat, in place of what it showed; "" takes the line away. It reports
// whether a person sees it: it is shown only where status lines go, on
// stderr, and only when that is a terminal.
func (v *chatView) showStatus(text string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.closed || !v.io.ErrTTY:
		return false
	case v.editor != nil:
		v.editor.SetStatus(text)
	case v.status != nil:
		v.status.Set(text)
	default:
		return false
	}
	return true
}

// redrawEvery is how often the line being typed is drawn again, in case
// something wrote over it: the terminal view clears the screen for its
// first picture, and a resized terminal may have wrapped it.
const redrawEvery = time.Second

func (v *chatView) redraw(ed *console.Editor, stop <-chan struct{}) {
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

// close takes the editor off the terminal and gives it back as it was.
func (v *chatView) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	v.closed = true
	switch {
	case v.editor != nil:
		close(v.stop)
		v.editor.Close()
	case v.status != nil:
		v.status.Close()
	default:
		return
	}
	v.out.set(v.io.Out)
	v.errOut.set(v.io.ErrOut)
	if v.reset != nil {
		v.reset()
		v.reset = nil
	}
}

// readLine returns the next line the person typed or piped in, without its
// line ending; io.EOF at the end of input (Ctrl-D on a terminal).
func (v *chatView) readLine() (string, error) {
	v.mu.Lock()
	ed, in, mine := v.editor, v.stdin, v.mine
	v.mu.Unlock()
	if ed != nil {
		line, err := ed.ReadLine()
		switch {
		case err != nil || line == "":
		case strings.HasPrefix(line, "/"):
			fmt.Fprintln(mine, chatPrompt+line) // a command, as typed
		default:
			v.show(mine, v.name, line)
		}
		return line, err
	}
	line, err := in.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// PeerNamed records the name the peer gave.
func (v *chatView) PeerNamed(name string) {
	v.mu.Lock()
	v.peer = name
	v.mu.Unlock()
}

// Received prints a message from the peer.
func (v *chatView) Received(text string) {
	if !v.io.OutTTY {
		// One message a line, whatever it holds, and nothing a terminal
		// would obey: a script reads lines, and a person may cat the file.
		fmt.Fprintln(&v.out, console.Escape(lineBreaks.Replace(text), console.KeepTabs))
		return
	}
	v.mu.Lock()
	peer := v.peer
	v.mu.Unlock()
	v.show(&v.out, peer, text)
}

// show prints a chat line for a person: "15:04 alice: text", with anything
// that could steer the terminal made visible.
func (v *chatView) show(w io.Writer, who, text string) {
	text = strings.ReplaceAll(console.Escape(text, console.KeepTabs|console.KeepLineBreaks), "\n", "\n      ")
	fmt.Fprintf(w, "%s %s: %s\n", v.now().Format("15:04"), console.Escape(who, 0), text)
}

// lineBreaks turns the line breaks inside a message into spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

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

// defaultName is what the peer calls this side without --name: the user's
// login name, or "peer".
func defaultName() string {
	if u, err := user.Current(); err == nil && call.CleanName(u.Username) != "" {
		return u.Username
	}
	if name := call.CleanName(os.Getenv("USER")); name != "" {
		return name
	}
	return "peer"
}

// validName checks --name, and picks the default without it.
func (o *CallOptions) validName() error {
	if o.Name == "" {
		o.Name = defaultName()
		return nil
	}
	clean := call.CleanName(o.Name)
	switch {
	case clean == "":
		return fmt.Errorf("--name %q: give a name of letters, digits or signs", o.Name)
	case clean != strings.Join(strings.Fields(o.Name), " "):
		return fmt.Errorf("--name %q: at most %d characters, and no control characters", o.Name, call.MaxNameLength)
	}
	o.Name = clean
	return nil
}
