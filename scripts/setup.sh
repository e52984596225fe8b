#!/usr/bin/env bash
# Installs what building and testing pigeon needs on Debian or Ubuntu, if it
# is missing: run as root it installs, otherwise it prints the command to run.
set -euo pipefail

# Build: libvpx (VP8), libopus and libopusfile (Opus decoding, through
# gopkg.in/hraban/opus.v2), libwebrtc-audio-processing-dev, libspeexdsp-dev
# and g++ (the microphone's echo cancellation and gain control, and its noise
# suppression: apm/ wraps WebRTC's module and SpeexDSP's preprocessor in a
# small C++ shim), SDL2 (the call's window; the Makefile links
# go-sdl2's own static build, against ALSA's and X11's libraries), Xlib and
# its XShm extension (--video screen, through mediadevices' X11 screen
# driver).
# Tests: Xvfb and ffmpeg (the window under a virtual display, its
# screenshots, reading recordings back with ffprobe, and natural test video
# and Ogg Opus speech for --video FILE and --audio FILE), espeak-ng (the
# test speech), tmux (the terminal
# view in a real terminal), chromium (e2e's calls with a real browser),
# iproute2, iptables and coturn (e2e's calls across NATs: LANs in network
# namespaces behind iptables NATs, with coturn as their STUN and TURN server,
# run as root; the test starts its own turnserver inside a namespace),
# pulseaudio and pulseaudio-utils (a sound server of the tests' own, in user
# space: null sinks as speakers whose monitors hear them, pipe sources as
# microphones; pacat and parec play and record beside pigeon), espeak-ng
# (speech for the echo canceller's tests and benchmarks).
packages=(pkg-config libvpx-dev libopus-dev libopusfile-dev libsdl2-dev libasound2-dev libx11-dev libxext-dev libxcursor-dev libxinerama-dev libxi-dev libxrandr-dev libxss-dev libxxf86vm-dev xvfb ffmpeg tmux chromium iproute2 iptables coturn pulseaudio pulseaudio-utils libwebrtc-audio-processing-dev libspeexdsp-dev g++ espeak-ng)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v go >/dev/null || { echo "setup: Go is not installed: see https://go.dev/doc/install" >&2; exit 1; }
command -v gcc >/dev/null || missing+=(gcc)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: pigeon needs these packages: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
