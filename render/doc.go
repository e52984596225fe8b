// Package render turns the remote media of a call into pictures and sound:
// VP8 decoded (libvpx) and shown in a window (SDL2) or in the terminal
// (true-colour half blocks), Opus decoded (libopus) and played on the
// speakers (miniaudio) through a jitter buffer, and both recorded, to one
// WebM file or to IVF and Ogg files. It counts what arrived and what it
// decoded, for the status line and for benchmarks.
//
// An Output takes the call's remote tracks with Play, each on its own
// goroutine, and the local camera's pictures with ShowLocal for the self-view. Before
// the call, while the codes are exchanged by camera, ShowPreview shows in
// the window this side's QR code beside what its camera sees, with the
// outline of a code found (termview.Block does the same on a terminal). The
// views, the speaker and the recordings are Output's and stop with Close.
// The speaker hands what it plays, as it plays it, to Options.FarEnd, for
// the microphone's echo canceller (package apm).
//
// In a call with several peers, each track is played with PlayPeer and the
// Peer it comes from: each peer has a tile of the view from its first track
// until its last ends, labelled with its name (NamePeer changes it); every
// peer's sound is mixed on the one speaker, and the mix is what the far end
// is handed; each track's Stats carry its peer's ID.
//
// The sub-packages do one thing each and can be used alone: window and
// termview are the two views, speaker the sound card, webmwriter the WebM
// file, picture the colour and scaling helpers they share.
package render
