package console

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// chatOn returns a chat reading in, with stdout and stderr in buffers.
func chatOn(in string) (ChatOptions, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return ChatOptions{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, Name: "me"}, &out, &errOut
}

func TestChatPlainLines(t *testing.T) {
	noon := func() time.Time { return time.Date(2026, 1, 2, 12, 5, 0, 0, time.Local) }
	tests := []struct {
		name   string
		outTTY bool
		want   string
	}{
		// Scripts read each message alone on its line, as before names,
		// and what would steer a terminal arrives as text.
		{"piped output", false, "hello there\n" + `\x1b[31mred` + "\ntwo lines\n" +
			`\x1b]52;c;cm0gLXJm\x07 \x9b2J \u202etxt.exe` + "\n" + "over write\n" + "tab\tkept\n"},
		{"output on a terminal", true, "12:05 alice: hello there\n12:05 alice: " + `\x1b[31mred` + "\n12:05 alice: two\n      lines\n" +
			"12:05 alice: " + `\x1b]52;c;cm0gLXJm\x07 \x9b2J \u202etxt.exe` + "\n" + "12:05 alice: over" + `\x0d` + "write\n" + "12:05 alice: tab\tkept\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, out, _ := chatOn("first line\r\nsecond\n")
			opts.OutTTY, opts.Now = tt.outTTY, noon
			c := NewChat(opts)
			c.Start(bufio.NewReader(opts.In))
			c.PeerNamed("alice")
			c.Received("hello there")
			c.Received("\x1b[31mred")
			c.Received("two\r\nlines")
			c.Received("\x1b]52;c;cm0gLXJm\a \u009b2J \u202etxt.exe")
			c.Received("over\rwrite")
			c.Received("tab\tkept")
			if out.String() != tt.want {
				t.Errorf("stdout %q, want %q", out, tt.want)
			}
			for _, want := range []string{"first line", "second"} {
				if got, err := c.ReadLine(); got != want || err != nil {
					t.Errorf("ReadLine = %q, %v; want %q", got, err, want)
				}
			}
			if _, err := c.ReadLine(); err == nil {
				t.Error("ReadLine after the input ended gave no error")
			}
			c.Close()
		})
	}
}

func TestChatWithoutAPeerName(t *testing.T) {
	opts, out, _ := chatOn("")
	opts.OutTTY = true
	opts.Now = func() time.Time { return time.Date(2026, 1, 2, 9, 7, 0, 0, time.Local) }
	NewChat(opts).Received("two\nlines")
	if want := "09:07 peer: two\n      lines\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
}

// TestChatStatusLine checks where the status line goes: on stderr when
// that is a terminal (here a pipe taken for one), redrawn in place and
// taken off before each line written there; nowhere when stderr is not a
// terminal, or once the chat is closed.
func TestChatStatusLine(t *testing.T) {
	for _, errTTY := range []bool{true, false} {
		t.Run(fmt.Sprintf("stderr a terminal: %v", errTTY), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			opts, _, _ := chatOn("")
			opts.ErrOut, opts.ErrTTY = w, errTTY
			c := NewChat(opts)
			c.Start(bufio.NewReader(opts.In)) // stdin is no terminal: no editor
			shown := c.ShowStatus("pigeon: sending a.bin: 10%")
			shown = c.ShowStatus("pigeon: sending a.bin: 20%") && shown
			fmt.Fprintln(c.ErrOut(), "pigeon: the peer's name is bob")
			c.ShowStatus("")
			fmt.Fprintln(c.ErrOut(), "pigeon: sent a.bin")
			c.Close()
			if c.ShowStatus("pigeon: sending b.bin: 1%") {
				t.Error("the status line is shown after the chat closed")
			}
			w.Close()
			got, _ := io.ReadAll(r)

			want := "pigeon: the peer's name is bob\npigeon: sent a.bin\n"
			if errTTY {
				want = "\rpigeon: sending a.bin: 10%\x1b[K\r" +
					"\rpigeon: sending a.bin: 20%\x1b[K\r" +
					"\r\x1b[K" + "pigeon: the peer's name is bob\n" + "\rpigeon: sending a.bin: 20%\x1b[K\r" +
					"\r\x1b[K" + "pigeon: sent a.bin\n"
			}
			if shown != errTTY {
				t.Errorf("ShowStatus reported %v, want %v", shown, errTTY)
			}
			if string(got) != want {
				t.Errorf("stderr got\n%q\nwant\n%q", got, want)
			}
			if !errTTY && strings.Contains(string(got), "sending") {
				t.Error("the status went to a stderr that is no terminal")
			}
		})
	}
}
