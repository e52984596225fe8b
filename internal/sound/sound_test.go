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
	withALSADevices(t, true)
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

// withALSADevices points alsaDevices at a /dev/snd of a sound card's
// PCM device, or at an empty one, with no configuration of the system's
// or the user's.
func withALSADevices(t *testing.T, card bool) string {
	t.Helper()
	dev := t.TempDir()
	if card {
		if err := os.WriteFile(filepath.Join(dev, "pcmC0D0p"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("ALSA_CONFIG_PATH", "")
	oldDev, oldConfigs := alsaDevDir, alsaConfigs
	alsaDevDir, alsaConfigs = dev, []string{filepath.Join(t.TempDir(), "asound.conf")}
	t.Cleanup(func() { alsaDevDir, alsaConfigs = oldDev, oldConfigs })
	return home
}

// TestBackendsTryALSAOnlyWithADevice: with no PulseAudio server, ALSA is
// tried when a sound card has a PCM device or a configuration may define
// one, and not otherwise.
func TestBackendsTryALSAOnlyWithADevice(t *testing.T) {
	for _, s := range pulseSockets() {
		if _, err := os.Stat(s); err == nil {
			t.Skipf("a PulseAudio server listens on this machine (%s)", s)
		}
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("PULSE_SERVER", "")
	t.Setenv("PULSE_RUNTIME_PATH", "")
	home := withALSADevices(t, false)
	if b := Backends(); slices.Contains(b, malgo.BackendAlsa) || slices.Contains(b, malgo.BackendPulseaudio) {
		t.Errorf("no card, no configuration, no server: Backends() = %v, want neither ALSA nor PulseAudio", b)
	}
	if err := os.WriteFile(filepath.Join(alsaDevDir, "controlC0"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(Backends(), malgo.BackendAlsa) {
		t.Error("a card's control device alone counted as a PCM device")
	}

	for _, c := range []struct {
		name  string
		setUp func() func()
	}{
		{"a card's PCM device", func() func() {
			p := filepath.Join(alsaDevDir, "pcmC0D0c")
			os.WriteFile(p, nil, 0o600)
			return func() { os.Remove(p) }
		}},
		{"~/.asoundrc", func() func() {
			p := filepath.Join(home, ".asoundrc")
			os.WriteFile(p, nil, 0o600)
			return func() { os.Remove(p) }
		}},
		{"the system's asound.conf", func() func() {
			os.WriteFile(alsaConfigs[0], nil, 0o600)
			return func() { os.Remove(alsaConfigs[0]) }
		}},
		{"ALSA_CONFIG_PATH", func() func() {
			os.Setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf")
			return func() { os.Setenv("ALSA_CONFIG_PATH", "") }
		}},
		{"a PulseAudio server, which ALSA's plugin reaches", func() func() {
			os.Setenv("PULSE_SERVER", "tcp:localhost")
			return func() { os.Setenv("PULSE_SERVER", "") }
		}},
	} {
		undo := c.setUp()
		if !slices.Contains(Backends(), malgo.BackendAlsa) {
			t.Errorf("with %s, ALSA is not tried", c.name)
		}
		undo()
		if slices.Contains(Backends(), malgo.BackendAlsa) {
			t.Fatalf("after %s went, ALSA is still tried", c.name)
		}
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
