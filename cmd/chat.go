package cmd

import (
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/console"
)

// newChat returns the chat on the command's streams.
func newChat(io *IOStreams, name string) *console.Chat {
	return console.NewChat(console.ChatOptions{
		In: io.In, Out: io.Out, ErrOut: io.ErrOut,
		InTTY: io.InTTY, OutTTY: io.OutTTY, ErrTTY: io.ErrTTY,
		Size: io.TerminalSize, Name: name,
	})
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
