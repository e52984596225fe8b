package cmd

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/capture"
)

// NewCmdDevices builds 'pigeon devices'.
func NewCmdDevices(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "devices",
		Short: "List the cameras and microphones pigeon can use",
		Long: `List the cameras and microphones on this machine. Pass an ID to --device
to use that device instead of the default one.`,
		Example: `  pigeon devices
  pigeon call --device /dev/video2`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return listDevices(io, capture.Devices())
		},
	}
}

func listDevices(io *IOStreams, devices []capture.Device) error {
	if len(devices) == 0 {
		fmt.Fprintln(io.ErrOut, "no camera or microphone found; pigeon can still call with --video test --audio test")
		return nil
	}
	w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tID\tNAME\tSTATE")
	for _, d := range devices {
		state := "ready"
		if !d.Ready {
			state = "unusable: " + d.Why
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d.Kind, d.ID, d.Name, state)
	}
	return w.Flush()
}

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])}
	}
	return nil
}
