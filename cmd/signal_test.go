package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

func TestSignalFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(*CallOptions) bool
		wantErr bool
	}{
		{"defaults", nil, func(o *CallOptions) bool {
			return o.Format.Format == offline.FormatAuto && o.MaxAge == offline.DefaultMaxAge && !o.QRInvert && o.QRPNG == ""
		}, false},
		{"all set", []string{"--format", "json", "--max-age", "1h", "--qr-invert", "--qr-png", "q.png"}, func(o *CallOptions) bool {
			return o.Format.Format == offline.FormatJSON && o.MaxAge == time.Hour && o.QRInvert && o.QRPNG == "q.png"
		}, false},
		{"compact", []string{"--format", "compact"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatCompact }, false},
		{"unknown format", []string{"--format", "qr"}, nil, true},
		{"raw SDP", []string{"--format", "sdp"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatSDP }, false},
		{"raw JSON", []string{"--format", "raw-json"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatRawJSON }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, errOut := testIO("")
			if tt.wantErr {
				// A flag's value is checked as the root command parses it.
				if code := Run(append([]string{"answer"}, tt.args...), io); code != ExitBadInput || !strings.Contains(errOut.String(), "use auto, compact, full, json, sdp or raw-json") {
					t.Fatalf("exit code %d, message %q; want %d and the formats", code, errOut, ExitBadInput)
				}
				return
			}
			var got *CallOptions
			c := NewCmdAnswer(io, func(o *CallOptions) error { got = o; return nil })
			c.SetArgs(tt.args)
			c.SetOut(io.Out)
			c.SetErr(io.ErrOut)
			err := c.Execute()
			if err != nil || !tt.check(got) {
				t.Fatalf("err %v, options %+v", err, got)
			}
		})
	}
}

// TestQRStyleFlags: --qr-invert and NO_COLOR (or TERM=dumb) give the
// terminal's QR codes their style.
func TestQRStyleFlags(t *testing.T) {
	for _, tt := range []struct {
		invert        bool
		noColor, term string
		want          offline.QRStyle
	}{
		{false, "", "xterm", offline.QRStyle{}},
		{true, "", "xterm", offline.QRStyle{Invert: true}},
		{false, "1", "xterm", offline.QRStyle{NoColor: true}},
		{false, "", "dumb", offline.QRStyle{NoColor: true}},
	} {
		t.Setenv("NO_COLOR", tt.noColor)
		t.Setenv("TERM", tt.term)
		io, _, _ := testIO("")
		if got := codeOptions(&CallOptions{IO: io, QRInvert: tt.invert}, nil).Style; got != tt.want {
			t.Errorf("--qr-invert %v, NO_COLOR %q, TERM %q: style %+v, want %+v", tt.invert, tt.noColor, tt.term, got, tt.want)
		}
	}
}
