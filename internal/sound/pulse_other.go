//go:build !unix || darwin

package sound

// pulseServer: elsewhere PulseAudio is not in the list that matters.
func pulseServer() bool { return true }

// alsaDevices: elsewhere there is no ALSA.
func alsaDevices() bool { return true }
