// Package web serves pigeon's call page: one self-contained HTML file that
// lets any browser call pigeon, be called by it, or call another browser,
// with the same codes and chat protocol as the command line.
//
// The page needs nothing from a network but the peer: its script and style
// are inline, it loads no fonts or libraries, and it works opened from disk
// as well as served by Handler.
package web
