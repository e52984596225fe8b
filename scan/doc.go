// Package scan reads pigeon codes from QR codes in pictures and video frames.
//
// Decode finds one QR code in an image and returns its text. A Scanner takes
// the frames of a camera (or any video source) at a bounded rate and returns
// the first pigeon code of the wanted kind it reads, with a hint for the
// person holding the code when a symbol is seen but cannot be read. A code
// too long for one QR symbol is shown as a cycle of numbered parts (see
// Split), which the Scanner puts back together in any order.
//
// The package only reads pictures: it opens no camera and draws nothing.
package scan
