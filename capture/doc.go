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
//
// A microphone's sound is cleaned as it is read, unless
// Options.RawMicrophone: package apm cancels the echo of what the speakers
// play (Options.FarEnd, which the speaker side feeds), suppresses noise and
// levels the gain, in place, before the encoder sees it.
//
// The tracks may be added to several PeerConnections at once, one per peer
// of a group call: each kind has one encoder, whose frames go to every
// peer, and a keyframe any peer asks for is made once for all. The video's
// bit rate follows the slowest path: Media.SetPeerVideoBitRate takes each
// peer's congestion-control target and sets the encoder to the least,
// Media.ForgetPeer drops a peer that left.
package capture
