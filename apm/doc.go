// Package apm cleans a microphone's sound for a call, as browsers and
// phones do: it cancels the echo of what the speakers play, levels the gain
// and takes out the hum below the voice, with WebRTC's audio processing
// module (Debian's webrtc-audio-processing 0.3), then suppresses noise with
// SpeexDSP's preprocessor, behind a small C shim.
//
// A FarEnd is what the speakers play: the speaker's audio thread hands it
// each buffer as it plays it, with when the room will hear it, and never
// waits for more than a copy. A Processor is one microphone's: Process
// takes each chunk the microphone records, with when it was recorded,
// feeds the module the far end the speaker has been handed since, and
// cleans the chunk in place, in 10 ms frames, holding nothing back when a
// chunk is a whole number of frames. The far end reaches the module before
// the room can hear it, so no echo comes before its cause; the module is
// told how much later the room hears it, from the latencies the sound
// system reports, and follows an echo up to 128 ms past that (its extended
// filter), where reverberation and late figures put it.
//
// The processing delays the sound by 478 samples, just under 10 ms: the
// module's split into three bands and back by 46 samples (1 ms), its echo
// canceller by 7 ms (blocks of 64 samples at 16 kHz, overlapped, cut from
// frames of 80), the noise suppressor by its 2 ms frame. The module's own
// noise suppressor would take 6 ms.
//
// Both run at 48 kHz, mono, 16-bit.
package apm
