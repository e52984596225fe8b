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

	// ErrNoScreen means the screen cannot be captured: there is no X11
	// display, or screen capture is not built for this system.
	ErrNoScreen = errors.New("no screen to capture")

	// ErrNoPicture means a picture file to show cannot be read as a PNG or
	// JPEG picture.
	ErrNoPicture = errors.New("no picture to show")

	// ErrMediaFile means a media file to play (a video or a sound file)
	// cannot be read, is not of a kind pigeon plays, or is damaged.
	ErrMediaFile = errors.New("cannot play the media file")

	// ErrSoundNotVideo means a file given as video holds sound, and
	// ErrVideoNotSound a file given as sound holds pictures; each comes
	// with ErrMediaFile.
	ErrSoundNotVideo = errors.New("it holds sound, not video")
	ErrVideoNotSound = errors.New("it holds pictures, not sound")

	// ErrNoVideo means the media sends no video, so its source cannot be
	// switched.
	ErrNoVideo = errors.New("no video is sent")

	// ErrHasVideo means the media sends video already, so there is none to
	// add: its source is switched instead.
	ErrHasVideo = errors.New("video is sent already")
)

// errPicture means a video file is a picture, which ImageVideo shows.
var errPicture = errors.New("it is a picture, not a video")

// errSplitClosed means a video source was swapped in after the media was
// closed.
var errSplitClosed = errors.New("the video has ended")
