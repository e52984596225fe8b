package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// TestChatViewStatusLine checks where the status line goes: on stderr when
// that is a terminal (here a pipe taken for one), redrawn in place and
// taken off before each line written there; nowhere when stderr is not a
// terminal, or once the chat is closed.
func TestChatViewStatusLine(t *testing.T) {
	for _, errTTY := range []bool{true, false} {
		t.Run(fmt.Sprintf("stderr a terminal: %v", errTTY), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			streams, _, _ := testIO("")
			streams.ErrOut, streams.ErrTTY = w, errTTY
			v := newChatView(streams, "me")
			v.start(bufio.NewReader(streams.In)) // stdin is no terminal: no editor
			shown := v.showStatus("pigeon: sending a.bin: 10%")
			shown = v.showStatus("pigeon: sending a.bin: 20%") && shown
			fmt.Fprintln(&v.errOut, "pigeon: the peer's name is bob")
			v.showStatus("")
			fmt.Fprintln(&v.errOut, "pigeon: sent a.bin")
			v.close()
			if v.showStatus("pigeon: sending b.bin: 1%") {
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
				t.Errorf("showStatus reported %v, want %v", shown, errTTY)
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
