//go:build !linux

package capture

import (
	"fmt"

	"github.com/pion/mediadevices"
)

func openScreen(Options) (mediadevices.VideoSource, string, error) {
	return nil, "", fmt.Errorf("%w: pigeon captures the screen on Linux with X11 only", ErrNoScreen)
}
