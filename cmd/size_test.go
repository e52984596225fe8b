package cmd

import (
	"strings"
	"testing"
)

func TestMaxFileSizeFlag(t *testing.T) {
	io, _, _ := testIO("")
	var got *CallOptions
	c := NewCmdAnswer(io, func(o *CallOptions) error { got = o; return nil })
	c.SetArgs([]string{"--max-file-size", "1.5g"})
	if err := c.Execute(); err != nil || got.MaxFileSize != 3<<29 {
		t.Errorf("--max-file-size 1.5g: %v, size %d", err, got.MaxFileSize)
	}
	c = NewCmdAnswer(io, func(o *CallOptions) error { return nil })
	c.SetArgs([]string{"--max-file-size", "big"})
	c.SilenceErrors, c.SilenceUsage = true, true
	if err := c.Execute(); err == nil || !strings.Contains(err.Error(), "max-file-size") {
		t.Errorf("--max-file-size big: %v, want an error naming the flag", err)
	}
	d := sizeFlag(defaultMaxFileSize)
	if got := d.String(); got != "4.0GiB" {
		t.Errorf("the default reads %q", got)
	}
}
