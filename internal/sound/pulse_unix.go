//go:build unix && !darwin

package sound

import (
	"os"
	"path/filepath"
	"strconv"
)

// pulseServer reports whether a PulseAudio server may be listening: where
// PULSE_SERVER says, or on the socket under the user's runtime directory, or
// the system-wide one. A server started on demand (by systemd or PipeWire)
// is started through that socket too.
func pulseServer() bool {
	if os.Getenv("PULSE_SERVER") != "" {
		return true
	}
	for _, s := range pulseSockets() {
		if info, err := os.Stat(s); err == nil && info.Mode().Type() == os.ModeSocket {
			return true
		}
	}
	return false
}

// pulseSockets are where libpulse looks for a server.
func pulseSockets() []string {
	var sockets []string
	if dir := os.Getenv("PULSE_RUNTIME_PATH"); dir != "" {
		sockets = append(sockets, filepath.Join(dir, "native"))
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		sockets = append(sockets, filepath.Join(dir, "pulse", "native"))
	}
	return append(sockets,
		filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "pulse", "native"),
		"/run/pulse/native", "/var/run/pulse/native")
}
