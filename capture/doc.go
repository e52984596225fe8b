// Package capture opens the local media a call sends: a camera, a microphone,
// synthetic test sources, the screen (X11, through mediadevices' screen
// driver), a picture file shown as a camera would (ImageVideo,
// "image:FILE"), or video and sound files played in a loop as a camera and
// a microphone would (FileVideo: Y4M, IVF with VP8; FileAudio: WAV, Ogg
// Opus), as mediadevices tracks ready to be added to a PeerConnection. Media.SwitchVideo changes the video's source while the
// track is sent, with no new track to negotiate.
//
// Devices are chosen by hand rather than through mediadevices.GetUserMedia so
// that a device that cannot work is never picked: a microphone that reports no
// channels (ALSA's "null" device on a machine without a sound card) is skipped,
// and a device that panics while being read ends its track with an error
// instead of killing the process.
package capture
