package render

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

static vpx_codec_ctx_t *pigeon_vp8_new(void) {
	vpx_codec_ctx_t *ctx = calloc(1, sizeof *ctx);
	vpx_codec_dec_cfg_t cfg = {.threads = 1};
	if (ctx == NULL) return NULL;
	if (vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

// pigeon_vp8_decode decodes one frame and returns the last picture it
// makes, or NULL; *err is set if libvpx refused the frame.
static vpx_image_t *pigeon_vp8_decode(vpx_codec_ctx_t *ctx, const uint8_t *data, unsigned int n, int *err) {
	vpx_codec_iter_t iter = NULL;
	vpx_image_t *img, *last = NULL;
	*err = vpx_codec_decode(ctx, data, n, NULL, 0) != VPX_CODEC_OK;
	if (*err) return NULL;
	while ((img = vpx_codec_get_frame(ctx, &iter)) != NULL) last = img;
	return last;
}

static void pigeon_vp8_free(vpx_codec_ctx_t *ctx) {
	vpx_codec_destroy(ctx);
	free(ctx);
}
*/
import "C"

import (
	"errors"
	"image"
	"unsafe"
)

// maxVP8Pixels bounds the picture a keyframe may announce, 4096x2304 (4K
// fits): libvpx would make room for and decode any size up to 16383x16383,
// 400 MB and seconds a frame, for a peer who writes that in a header.
const maxVP8Pixels = 4096 * 2304

// vp8Oversized reports whether frame is a keyframe of a picture larger than
// maxVP8Pixels (RFC 6386, 9.1: the size follows the start code).
func vp8Oversized(frame []byte) bool {
	if len(frame) < 10 || frame[0]&1 != 0 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		return false
	}
	w := int(frame[6]) | int(frame[7]&0x3f)<<8
	h := int(frame[8]) | int(frame[9]&0x3f)<<8
	return w*h > maxVP8Pixels
}

// The decoder's errors.
var (
	// errVP8Init means libvpx could not make a decoder.
	errVP8Init = errors.New("libvpx could not start a VP8 decoder")
	// errVP8Frame is a frame libvpx could not decode.
	errVP8Frame = errors.New("libvpx could not decode the frame")
)

// frameSource hands out whole VP8 frames, one per call, then io.EOF. The
// decoder is done with a frame when it asks for the next.
type frameSource interface {
	NextFrame() ([]byte, error)
}

// vp8Decoder decodes the VP8 frames of a frameSource, and hands out
// libvpx's own picture rather than a copy in a new image: the copies were
// most of what a call allocated, and kept the collector running
// (docs/PERFORMANCE.md). The picture is valid until the next Read or Close:
// whoever keeps it copies it (the views do).
type vp8Decoder struct {
	ctx *C.vpx_codec_ctx_t
	in  frameSource
	img image.YCbCr
}

// newVP8Decoder returns a decoder of the frames in, which may be set later,
// before the first Read.
func newVP8Decoder(in frameSource) (*vp8Decoder, error) {
	ctx := C.pigeon_vp8_new()
	if ctx == nil {
		return nil, errVP8Init
	}
	return &vp8Decoder{ctx: ctx, in: in}, nil
}

// Read decodes frames until one makes a picture, and returns it. The
// release function does nothing: the picture is the decoder's.
func (d *vp8Decoder) Read() (image.Image, func(), error) {
	for {
		frame, err := d.in.NextFrame()
		if err != nil {
			return nil, nil, err
		}
		if len(frame) == 0 {
			continue
		}
		if vp8Oversized(frame) {
			return nil, nil, errVP8Frame
		}
		var failed C.int
		img := C.pigeon_vp8_decode(d.ctx, (*C.uint8_t)(unsafe.Pointer(&frame[0])), C.uint(len(frame)), &failed)
		if failed != 0 {
			return nil, nil, errVP8Frame
		}
		if img == nil || img.fmt != C.VPX_IMG_FMT_I420 {
			continue // nothing to show (or a format VP8 does not make)
		}
		w, h := int(img.d_w), int(img.d_h)
		ys, cs := int(img.stride[0]), int(img.stride[1])
		if int(img.stride[2]) != cs {
			continue // image.YCbCr has one stride for both chroma planes
		}
		ch := (h + 1) / 2
		d.img = image.YCbCr{
			Y:              unsafe.Slice((*byte)(unsafe.Pointer(img.planes[0])), ys*h),
			Cb:             unsafe.Slice((*byte)(unsafe.Pointer(img.planes[1])), cs*ch),
			Cr:             unsafe.Slice((*byte)(unsafe.Pointer(img.planes[2])), cs*ch),
			YStride:        ys,
			CStride:        cs,
			SubsampleRatio: image.YCbCrSubsampleRatio420,
			Rect:           image.Rect(0, 0, w, h),
		}
		return &d.img, func() {}, nil
	}
}

// Close frees the decoder, and with it the last picture.
func (d *vp8Decoder) Close() error {
	if d.ctx != nil {
		C.pigeon_vp8_free(d.ctx)
		d.ctx = nil
	}
	return nil
}
