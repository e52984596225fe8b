package capture

import "errors"

var (
	// ErrNoCamera means no usable camera was found, or none matched the
	// requested device.
	ErrNoCamera = errors.New("no camera found")

	// ErrNoMicrophone means no usable microphone was found, or none matched
	// the requested device.
	ErrNoMicrophone = errors.New("no microphone found")

	// ErrDeviceFailed means a device was found but failed while opening or
	// being read.
	ErrDeviceFailed = errors.New("media device failed")

	// ErrUnknownSource means a source name is not one of the known ones.
	ErrUnknownSource = errors.New("unknown media source")
)
