// Package render takes the remote media of a call out to where it is used:
// files for now (VP8 to IVF, Opus to Ogg), with a count of what arrived.
package render
