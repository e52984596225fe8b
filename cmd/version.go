package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// NewCmdVersion builds 'pigeon version'.
func NewCmdVersion(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print pigeon's version and what it was built with",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(io.Out, versionLine())
		},
	}
}

func versionLine() string {
	version, webrtc := "(devel)", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, dep := range info.Deps {
			if dep.Path == "github.com/pion/webrtc/v4" {
				webrtc = dep.Version
			}
		}
	}
	return fmt.Sprintf("pigeon %s (pion/webrtc %s, %s %s/%s)", version, webrtc, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
