package control

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/picture"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

// scanCode reads the peer's code of the wanted kind from the camera: the
// call's own when it sends the camera's or a picture's video, or else the
// camera opened for this alone, and released once the code is read. What
// the camera sees is shown in the window (beside this side's code), or in
// the terminal beside this side's code; with neither, status lines say how
// the scan goes.
func (s *Codes) scanCode(ctx context.Context, want offline.Kind) (offline.Signal, error) {
	reader, release, err := s.scanSource()
	if err != nil {
		return offline.Signal{}, err
	}
	defer release()

	v := &scanView{s: s, want: want, show: s.shown, line: scanLine(want, scan.Status{})}
	if v.show == nil && s.opts.ErrTTY {
		// Nothing of this side's is shown (the callee's scan comes first):
		// a block of its own, for the preview and the status.
		v.show, _ = NewCodeShow(nil, ShowOptions{Terminal: termview.NewBlock(s.opts.ErrOut), Cols: s.opts.Cols})
		v.show.Start()
		defer v.show.Stop(true)
	}
	v.onTerminal = v.show.OnTerminal()
	v.terminalPreview = v.onTerminal && s.opts.TerminalPreview
	v.window = s.opts.Output != nil && s.opts.Output.Window()
	if v.window {
		if v.show != nil {
			v.show.Scanning(true)
			defer v.show.Scanning(false)
		}
		defer func() { s.opts.Output.EndPreview(); s.opts.Output.SetStatus("") }()
	}
	v.say(v.line)
	var sig offline.Signal
	err = withContext(ctx, func() error {
		var err error
		sig, err = scan.Watch(ctx, reader, scan.NewScanner(want, 0), v.frame, v.status)
		return err
	})
	if err != nil {
		return offline.Signal{}, fmt.Errorf("scanning the %s: %w", want, err)
	}
	return sig, nil
}

// scanView shows how a scan goes: what the camera sees, in the window
// (beside this side's code) or on the terminal, and a status line.
type scanView struct {
	s                                   *Codes
	want                                offline.Kind
	show                                *CodeShow // nil when nothing is shown
	onTerminal, terminalPreview, window bool

	mu   sync.Mutex
	line string // what the status says
}

// say puts the status where the person sees it.
func (v *scanView) say(text string) {
	if v.window {
		v.s.opts.Output.SetStatus(text)
	}
	if v.onTerminal {
		return // the block's status line says it
	}
	v.s.say("%s", text)
}

// frame shows a picture the camera gave, with where a code is in it.
func (v *scanView) frame(img image.Image, st scan.Status) {
	outline, colour := outlineOf(st)
	if v.window {
		v.s.opts.Output.ShowPreview(render.PreviewFrame{Code: v.show.CodeImage(), Picture: img, Outline: outline, Color: colour})
	}
	if v.show == nil {
		return
	}
	var preview image.Image
	if v.terminalPreview {
		// The terminal has room for a small picture only.
		preview = picture.Thumbnail(img, 160, 120)
		outline = scaleOutline(outline, img.Bounds(), preview.Bounds())
	}
	v.mu.Lock()
	text := v.line
	v.mu.Unlock()
	v.show.Set(preview, outline, colour, text)
}

// status says how the scan goes, when that changes.
func (v *scanView) status(st scan.Status) {
	text := scanLine(v.want, st)
	v.mu.Lock()
	changed := text != v.line
	v.line = text
	v.mu.Unlock()
	if changed {
		v.say(text)
	}
}

// scanSource returns the frames to scan and what releases them: the call's
// video when it comes from the camera, a picture or a file, the camera
// otherwise.
func (s *Codes) scanSource() (scan.FrameReader, func(), error) {
	_, picture := capture.ImagePath(s.opts.Video)
	_, file := capture.VideoFile(s.opts.Video)
	if s.opts.Media != nil && s.opts.Media.Video() != nil && (s.opts.Video == capture.Camera || picture || file) {
		if frames, ok := s.opts.Media.VideoFrames(); ok {
			return frames, func() {}, nil
		}
	}
	if s.opts.Camera == nil {
		return nil, nil, &scanCameraError{capture.ErrNoCamera}
	}
	copts, err := s.opts.Camera()
	if err != nil {
		return nil, nil, err
	}
	copts.Video, copts.Audio = capture.Camera, capture.None
	m, err := capture.Open(copts)
	if err != nil {
		return nil, nil, &scanCameraError{err}
	}
	frames, ok := m.VideoFrames()
	if !ok {
		m.Close()
		return nil, nil, fmt.Errorf("%w: the camera gives no video", capture.ErrDeviceFailed)
	}
	return frames, func() { m.Close() }, nil
}

// ErrScanCamera means no camera opened to scan the peer's code. The error
// is a device failure too (capture.ErrDeviceFailed), and no longer a
// missing camera, whose message says how to call without one.
var ErrScanCamera = errors.New("opening a camera to scan the peer's code")

// scanCameraError is a camera that a scan could not open.
type scanCameraError struct{ err error }

func (e *scanCameraError) Error() string { return fmt.Sprintf("%v: %v", ErrScanCamera, e.err) }

func (e *scanCameraError) Is(target error) bool { return target == ErrScanCamera }

func (e *scanCameraError) Unwrap() error { return capture.ErrDeviceFailed }

// scanLine says, for the person holding the code, how the scan goes.
func scanLine(want offline.Kind, st scan.Status) string {
	switch {
	case st.Done:
		return fmt.Sprintf("read the peer's %s from the camera", want)
	case st.Hint != "":
		return st.Hint
	case st.Count > 0:
		return fmt.Sprintf("read %d of the %d QR codes of the peer's %s: keep them in view", st.Have, st.Count, want)
	}
	return fmt.Sprintf("scanning: hold the peer's %s QR code up to the camera", want)
}

// outlineOf returns where the code of st is, and its colour: read or only
// seen.
func outlineOf(st scan.Status) ([]image.Point, color.RGBA) {
	if st.Symbol != nil {
		return scan.Corners(st.Symbol.Outline), render.OutlineRead
	}
	return scan.Corners(st.Seen), render.OutlineSeen
}

func scaleOutline(pts []image.Point, from, to image.Rectangle) []image.Point {
	out := make([]image.Point, len(pts))
	for i, p := range pts {
		out[i] = picture.MapPoint(p, from, to)
	}
	return out
}
