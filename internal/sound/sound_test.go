//go:build unix && !darwin

package sound

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gen2brain/malgo"
)

// TestBackendsTryPulseOnlyWithAServer: PulseAudio is tried when its socket
// is where libpulse looks, or PULSE_SERVER names one, and not otherwise.
func TestBackendsTryPulseOnlyWithAServer(t *testing.T) {
	for _, s := range pulseSockets() {
		if _, err := os.Stat(s); err == nil {
			t.Skipf("a PulseAudio server listens on this machine (%s)", s)
		}
	}
	runtime := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtime)
	t.Setenv("PULSE_SERVER", "")
	t.Setenv("PULSE_RUNTIME_PATH", "")
	if b := Backends(); slices.Contains(b, malgo.BackendPulseaudio) || !slices.Contains(b, malgo.BackendAlsa) {
		t.Errorf("with no server, Backends() = %v, want ALSA and no PulseAudio", b)
	}

	// A file that is not a socket is no server either.
	if err := os.MkdirAll(filepath.Join(runtime, "pulse"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runtime, "pulse", "native"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(Backends(), malgo.BackendPulseaudio) {
		t.Errorf("a plain file counted as PulseAudio's socket")
	}
	os.Remove(filepath.Join(runtime, "pulse", "native"))

	l, err := net.Listen("unix", filepath.Join(runtime, "pulse", "native"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if b := Backends(); !slices.Equal(b, backends) {
		t.Errorf("with a server's socket, Backends() = %v, want %v", b, backends)
	}
	l.Close()

	t.Setenv("PULSE_SERVER", "tcp:localhost")
	if !slices.Contains(Backends(), malgo.BackendPulseaudio) {
		t.Errorf("PULSE_SERVER set, and PulseAudio not tried")
	}
}

// TestOpenNull: the null backend opens everywhere, with a capture device.
func TestOpenNull(t *testing.T) {
	ctx, err := Open([]malgo.Backend{Null})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(ctx)
	devices, err := ctx.Devices(malgo.Capture)
	if err != nil || len(devices) == 0 {
		t.Fatalf("the null backend has no capture device: %v, %v", devices, err)
	}
}
