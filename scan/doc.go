// Package scan reads pigeon codes from QR codes in pictures and video frames.
//
// Decode finds one QR code in an image and returns its text. A Scanner takes
// the frames of a camera (or any video source) at a bounded rate and returns
// the first pigeon code of the wanted kind it reads, with a hint for the
// person holding the code when a symbol is seen but cannot be read (blurred,
// too far, partly covered: what the finder patterns and the decoder's error
// say). Watch runs a Scanner on a camera beside its preview: frames are
// decoded on a goroutine of their own, and those that come while it is busy
// are only shown. A code too long for one QR symbol is shown as a cycle of
// numbered parts (see Split), which the Scanner puts back together in any
// order.
//
// The package only reads pictures: it opens no camera and draws nothing.
package scan
