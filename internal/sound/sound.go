// Package sound opens miniaudio (malgo), the sound library pigeon's speakers
// and microphones share, on the sound systems worth trying on this machine.
package sound

import (
	"slices"

	"github.com/gen2brain/malgo"
)

// Null is miniaudio's null backend: it plays into nothing and records
// silence, in real time, for tests and machines without sound. malgo's
// BackendNull constant is 13, which is ma_backend_custom: malgo's list
// misses "custom".
const Null = malgo.Backend(14)

// backends are tried in turn for a real device. The null backend is left
// out: miniaudio would fall back to it silently when there is no sound card,
// and the user would hear nothing without being told why. JACK is left out
// too: without a JACK server its library prints errors on stderr.
var backends = []malgo.Backend{
	malgo.BackendPulseaudio, malgo.BackendAlsa, // Linux: PipeWire answers as PulseAudio
	malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm, // Windows
	malgo.BackendCoreaudio,                                    // macOS
	malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss, // BSDs
}

// Backends are the sound systems to try on this machine, in turn.
//
// PulseAudio (or PipeWire, which answers as it) is left out when no server
// can be listening: miniaudio would load libpulse and the twenty libraries it
// needs, which stay mapped for the life of the process, only to fail to
// connect and go on to ALSA. ALSA is left out when it can have no device
// (alsaDevices): on a machine without sound, loading libasound, reading its
// configuration and trying the PulseAudio plugin it names cost each side
// of a call memory and time for nothing.
func Backends() []malgo.Backend {
	pulse := pulseServer()
	alsa := pulse || alsaDevices()
	return slices.DeleteFunc(slices.Clone(backends), func(b malgo.Backend) bool {
		return b == malgo.BackendPulseaudio && !pulse || b == malgo.BackendAlsa && !alsa
	})
}

// Open opens miniaudio on list, the sound systems to try in turn (Backends,
// or Null). The caller must Close the context.
func Open(list []malgo.Backend) (*malgo.AllocatedContext, error) {
	if slices.Contains(list, malgo.BackendAlsa) {
		silenceALSA()
	}
	l := &deviceLog{}
	ctx, err := malgo.InitContext(list, malgo.ContextConfig{}, l.add)
	if err != nil {
		return nil, err
	}
	contexts.Store(ctx, l)
	return ctx, nil
}

// Close closes a context Open opened, once its devices are uninitialised.
func Close(ctx *malgo.AllocatedContext) {
	contexts.Delete(ctx)
	ctx.Uninit()
	ctx.Free()
}
