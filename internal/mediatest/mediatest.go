// Package mediatest checks media the way a player would: it decodes
// recordings and makes real encoded streams for tests.
package mediatest

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// IVF is what a VP8 recording holds once decoded.
type IVF struct {
	Frames        int // frames that libvpx decoded into a picture
	Width, Height int // of the last decoded picture
	Last          *image.YCbCr
}

// DecodeIVF decodes every frame of the IVF file at path with libvpx. It fails
// on the first frame that does not decode.
func DecodeIVF(path string) (IVF, error) {
	f, err := os.Open(path)
	if err != nil {
		return IVF{}, err
	}
	defer f.Close()
	r, header, err := ivfreader.NewWith(f)
	if err != nil {
		return IVF{}, fmt.Errorf("reading the IVF header: %w", err)
	}
	if string(header.FourCC[:]) != "VP80" {
		return IVF{}, fmt.Errorf("IVF holds %q, want VP80", header.FourCC[:])
	}
	frames := make(chan []byte, 1)
	dec, err := vpx.NewDecoder(FrameReader(frames), prop.Media{Video: prop.Video{
		Width: int(header.Width), Height: int(header.Height),
	}})
	if err != nil {
		return IVF{}, err
	}
	defer dec.Close()

	var out IVF
	for {
		frame, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("frame %d: %w", out.Frames, err)
		}
		frames <- frame
		img, _, err := dec.Read()
		if err != nil {
			return out, fmt.Errorf("decoding frame %d: %w", out.Frames, err)
		}
		out.Frames++
		out.Last = img.(*image.YCbCr)
		out.Width, out.Height = img.Bounds().Dx(), img.Bounds().Dy()
	}
}

// FrameReader hands libvpx's decoder (mediadevices' vpx.NewDecoder) one
// whole frame per Read, as it wants; closing the channel ends it.
type FrameReader chan []byte

// Read copies the next frame into p.
func (c FrameReader) Read(p []byte) (int, error) {
	frame, ok := <-c
	if !ok {
		return 0, io.EOF
	}
	return copy(p, frame), nil
}

// Ogg is what an Opus recording holds.
type Ogg struct {
	Channels   uint8
	SampleRate uint32
	Pages      int  // audio pages after the two header pages (pion writes one Opus packet per page)
	Ended      bool // the last page is marked as the end of the stream, as players expect
}

// ReadOgg reads the Ogg Opus file at path, checking each page's checksum.
func ReadOgg(path string) (Ogg, error) {
	f, err := os.Open(path)
	if err != nil {
		return Ogg{}, err
	}
	defer f.Close()
	r, header, err := oggreader.NewWith(f)
	if err != nil {
		return Ogg{}, fmt.Errorf("reading the Ogg header: %w", err)
	}
	out := Ogg{Channels: header.Channels, SampleRate: header.SampleRate}
	for {
		payload, _, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			data, err := os.ReadFile(path)
			out.Ended = err == nil && lastOggPageEnds(data)
			return out, err
		}
		if err != nil {
			return out, fmt.Errorf("page after %d pages: %w", out.Pages, err)
		}
		if len(payload) > 0 && string(payload[:min(8, len(payload))]) != "OpusTags" {
			out.Pages++
		}
	}
}

// lastOggPageEnds reports whether the last Ogg page in data has the
// end-of-stream flag (RFC 3533, section 6).
func lastOggPageEnds(data []byte) bool {
	ended := false
	for len(data) >= 27 && string(data[:4]) == "OggS" {
		segments := int(data[26])
		if len(data) < 27+segments {
			return false
		}
		size := 27 + segments
		for _, n := range data[27 : 27+segments] {
			size += int(n)
		}
		if len(data) < size {
			return false
		}
		ended = data[5]&0x04 != 0
		data = data[size:]
	}
	return ended && len(data) == 0
}

// EncodeVP8 encodes n frames from src with libvpx and returns them.
func EncodeVP8(src video.Reader, width, height, n int) ([][]byte, error) {
	return EncodeVP8WithKeyFrames(src, width, height, n, 0)
}

// EncodeVP8WithKeyFrames is EncodeVP8 with a keyframe every interval frames
// (libvpx's default, 60, for 0).
func EncodeVP8WithKeyFrames(src video.Reader, width, height, n, interval int) ([][]byte, error) {
	params, err := vpx.NewVP8Params()
	if err != nil {
		return nil, err
	}
	params.BitRate = 500_000
	params.KeyFrameInterval = interval
	enc, err := params.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: width, Height: height}})
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	var frames [][]byte
	for len(frames) < n {
		frame, release, err := enc.Read()
		if err != nil {
			return nil, err
		}
		frames = append(frames, append([]byte(nil), frame...))
		release()
	}
	return frames, nil
}
