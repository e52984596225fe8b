package cmd

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

func TestChatViewPlainLines(t *testing.T) {
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
			io, out, _ := testIO("first line\r\nsecond\n")
			io.OutTTY = tt.outTTY
			v := newChatView(io, "me")
			v.now = noon
			v.start(bufio.NewReader(io.In))
			v.PeerNamed("alice")
			v.Received("hello there")
			v.Received("\x1b[31mred")
			v.Received("two\r\nlines")
			v.Received("\x1b]52;c;cm0gLXJm\a \u009b2J \u202etxt.exe")
			v.Received("over\rwrite")
			v.Received("tab\tkept")
			if out.String() != tt.want {
				t.Errorf("stdout %q, want %q", out, tt.want)
			}
			for _, want := range []string{"first line", "second"} {
				if got, err := v.readLine(); got != want || err != nil {
					t.Errorf("readLine = %q, %v; want %q", got, err, want)
				}
			}
			if _, err := v.readLine(); err == nil {
				t.Error("readLine after the input ended gave no error")
			}
			v.close()
		})
	}
}

func TestChatViewWithoutAPeerName(t *testing.T) {
	io, out, _ := testIO("")
	io.OutTTY = true
	v := newChatView(io, "me")
	v.now = func() time.Time { return time.Date(2026, 1, 2, 9, 7, 0, 0, time.Local) }
	v.Received("two\nlines")
	if want := "09:07 peer: two\n      lines\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
}

func TestNameFlag(t *testing.T) {
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"--name", "  Alice  Liddell "}, "Alice Liddell", ""},
		{[]string{"--name", "日本"}, "日本", ""},
		{nil, defaultName(), ""},
		{[]string{"--name", "\x1b\x07"}, "", "no control characters"},
		{[]string{"--name", "\u200b"}, "", "give a name"},
		{[]string{"--name", strings.Repeat("x", 33)}, "", "at most 32"},
	}
	for _, tt := range tests {
		io, _, _ := testIO("")
		var got *CallOptions
		c := NewCmdAnswer(io, func(o *CallOptions) error { got = o; return nil })
		c.SetArgs(tt.args)
		c.SilenceErrors, c.SilenceUsage = true, true
		err := c.Execute()
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one saying %q", tt.args, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case got.Name != tt.want:
			t.Errorf("%q: name %q, want %q", tt.args, got.Name, tt.want)
		}
	}
	if defaultName() == "" {
		t.Error("the default name is empty")
	}
}
