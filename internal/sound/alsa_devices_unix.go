//go:build unix && !darwin

package sound

import (
	"os"
	"path/filepath"
	"strings"
)

// Where ALSA's devices and a configuration that may define more are;
// tests move them.
var (
	alsaDevDir  = "/dev/snd"
	alsaConfigs = []string{"/etc/asound.conf"}
)

// alsaDevices reports whether ALSA may open a playback or capture device:
// a sound card's PCM device under /dev/snd, or a configuration of the
// system's or the user's own (ALSA_CONFIG_PATH, /etc/asound.conf,
// ~/.asoundrc), which may define a device of its own. The configuration
// every install ships only routes ALSA to PulseAudio or JACK: with no card
// and no PulseAudio server, ALSA has nothing to open.
func alsaDevices() bool {
	if entries, err := os.ReadDir(alsaDevDir); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "pcm") {
				return true
			}
		}
	}
	if os.Getenv("ALSA_CONFIG_PATH") != "" {
		return true
	}
	configs := alsaConfigs
	if home, err := os.UserHomeDir(); err == nil {
		configs = append(configs[:len(configs):len(configs)], filepath.Join(home, ".asoundrc"))
	}
	if dir, err := os.UserConfigDir(); err == nil {
		configs = append(configs[:len(configs):len(configs)], filepath.Join(dir, "alsa", "asoundrc"))
	}
	for _, c := range configs {
		if _, err := os.Stat(c); err == nil {
			return true
		}
	}
	return false
}
