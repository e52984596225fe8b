// Package web serves pigeon's call page: one self-contained HTML file that
// lets any browser call pigeon, be called by it, or call another browser,
// with the same codes and chat protocol as the command line.
//
// The page is assembled at build time from page.html, its scripts
// (codes.js, a port of the offline package's codes, compact form included;
// page.js, the call) and two vendored libraries (vendor/: qrcode-generator
// to draw QR codes, jsQR to read them where the browser has no
// BarcodeDetector), all inline. It needs nothing from a network but the
// peer, and works opened from disk as well as served by Handler.
//
// Browsers give the camera and microphone only to secure pages; SelfSigned
// makes the certificate that lets pigeon serve the page over HTTPS to
// another device of the LAN. Listen puts these together: it picks the
// address, refuses plain HTTP where other devices reach it unless asked,
// and keeps the certificate from run to run, so that its fingerprint is
// checked once.
package web
