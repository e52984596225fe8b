package cmd

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"sync"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/control"
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
func (s *signalIO) scanCode(ctx context.Context, want offline.Kind) (offline.Signal, error) {
	reader, release, err := s.scanSource()
	if err != nil {
		return offline.Signal{}, err
	}
	defer release()

	io := s.opts.IO
	show := s.shown
	if show == nil && io.ErrTTY {
		// Nothing of this side's is shown (the callee's scan comes first):
		// a block of its own, for the preview and the status.
		show, _ = control.NewCodeShow(nil, control.ShowOptions{Terminal: termview.NewBlock(io.ErrOut), Cols: s.cols})
		show.Start()
		defer show.Stop(true)
	}
	onTerminal := show.OnTerminal()
	terminalPreview := onTerminal && chooseView(s.opts) == render.ViewTerminal
	window := s.out != nil && s.out.Window()
	if window {
		if show != nil {
			show.Scanning(true)
			defer show.Scanning(false)
		}
		defer func() { s.out.EndPreview(); s.out.SetStatus("") }()
	}

	var (
		mu   sync.Mutex
		line = scanLine(want, scan.Status{})
	)
	say := func(text string) {
		if window {
			s.out.SetStatus(text)
		}
		if onTerminal {
			return // the block's status line says it
		}
		fmt.Fprintf(io.ErrOut, "pigeon: %s\n", text)
	}
	say(line)
	onFrame := func(img image.Image, st scan.Status) {
		outline, colour := outlineOf(st)
		if window {
			s.out.ShowPreview(render.PreviewFrame{Code: show.CodeImage(), Picture: img, Outline: outline, Color: colour})
		}
		if show != nil {
			var preview image.Image
			if terminalPreview {
				// The terminal has room for a small picture only.
				preview = picture.Thumbnail(img, 160, 120)
				outline = scaleOutline(outline, img.Bounds(), preview.Bounds())
			}
			mu.Lock()
			text := line
			mu.Unlock()
			show.Set(preview, outline, colour, text)
		}
	}
	onStatus := func(st scan.Status) {
		text := scanLine(want, st)
		mu.Lock()
		changed := text != line
		line = text
		mu.Unlock()
		if changed {
			say(text)
		}
	}
	var sig offline.Signal
	err = withContext(ctx, func() error {
		var err error
		sig, err = scan.Watch(ctx, reader, scan.NewScanner(want, 0), onFrame, onStatus)
		return err
	})
	if err != nil {
		return offline.Signal{}, fmt.Errorf("scanning the %s: %w", want, err)
	}
	return sig, nil
}

// scanSource returns the frames to scan and what releases them: the call's
// video when it comes from the camera, a picture or a file, the camera
// otherwise.
func (s *signalIO) scanSource() (scan.FrameReader, func(), error) {
	_, picture := capture.ImagePath(s.opts.Video)
	_, file := capture.VideoFile(s.opts.Video)
	if s.media != nil && s.media.Video() != nil && (s.opts.Video == capture.Camera || picture || file) {
		if frames, ok := s.media.VideoFrames(); ok {
			return frames, func() {}, nil
		}
	}
	copts, err := s.opts.captureOptions(capture.Devices())
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

// scanCameraError is a camera that --scan could not open. It says what to
// do instead of scanning, and is a device failure (exit code 3).
type scanCameraError struct{ err error }

func (e *scanCameraError) Error() string {
	return fmt.Sprintf("opening a camera to scan the peer's code: %v: leave out --scan and paste the code, or scan a picture of it with --scan-image FILE", e.err)
}

// Unwrap makes the error a device failure, and no longer a missing camera,
// whose message says how to call without one.
func (e *scanCameraError) Unwrap() error { return capture.ErrDeviceFailed }

// cols returns the terminal's width, for the block.
func (s *signalIO) cols() int {
	if s.opts.IO.TerminalSize != nil {
		cols, _ := s.opts.IO.TerminalSize()
		return cols
	}
	return 80
}

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
