package cmd

import (
	"strings"
	"testing"
)

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
