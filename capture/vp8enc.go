package capture

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>

typedef struct {
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t cfg;
	vpx_image_t img;
} pigeon_vp8enc;

// pigeon_vp8enc_new makes a real-time VP8 encoder: constant bit rate,
// error resilient, no frames held back, time in microseconds.
static pigeon_vp8enc *pigeon_vp8enc_new(int w, int h, unsigned kbps, unsigned keyint, int speed) {
	pigeon_vp8enc *e = calloc(1, sizeof *e);
	if (e == NULL) return NULL;
	if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &e->cfg, 0) != VPX_CODEC_OK) goto fail;
	e->cfg.g_w = w;
	e->cfg.g_h = h;
	e->cfg.g_timebase.num = 1;
	e->cfg.g_timebase.den = 1000000;
	e->cfg.g_threads = 1;
	e->cfg.g_lag_in_frames = 0;
	e->cfg.g_pass = VPX_RC_ONE_PASS;
	e->cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
	e->cfg.rc_end_usage = VPX_CBR;
	e->cfg.rc_target_bitrate = kbps;
	e->cfg.rc_resize_allowed = 0;
	e->cfg.kf_max_dist = keyint;
	if (vpx_codec_enc_init(&e->ctx, vpx_codec_vp8_cx(), &e->cfg, 0) != VPX_CODEC_OK) goto fail;
	if (vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, speed) != VPX_CODEC_OK) {
		vpx_codec_destroy(&e->ctx);
		goto fail;
	}
	vpx_img_wrap(&e->img, VPX_IMG_FMT_I420, w, h, 1, (unsigned char *)1);
	return e;
fail:
	free(e);
	return NULL;
}

static int pigeon_vp8enc_rate(pigeon_vp8enc *e, unsigned kbps) {
	e->cfg.rc_target_bitrate = kbps;
	return vpx_codec_enc_config_set(&e->ctx, &e->cfg) != VPX_CODEC_OK;
}

// pigeon_vp8enc_encode encodes one picture and returns its frame, or NULL
// (with *n 0) when the encoder dropped it; *err is set if it failed.
static const void *pigeon_vp8enc_encode(pigeon_vp8enc *e, unsigned char *y, unsigned char *u, unsigned char *v,
		int ystride, int cstride, long long pts, unsigned long dur, int key, size_t *n, int *key_out, int *err) {
	vpx_codec_iter_t iter = NULL;
	const vpx_codec_cx_pkt_t *pkt;
	const void *frame = NULL;
	e->img.planes[0] = y;
	e->img.planes[1] = u;
	e->img.planes[2] = v;
	e->img.stride[0] = ystride;
	e->img.stride[1] = e->img.stride[2] = cstride;
	*n = 0;
	*err = vpx_codec_encode(&e->ctx, &e->img, pts, dur, key ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME) != VPX_CODEC_OK;
	e->img.planes[0] = e->img.planes[1] = e->img.planes[2] = NULL;
	if (*err) return NULL;
	while ((pkt = vpx_codec_get_cx_data(&e->ctx, &iter)) != NULL) {
		if (pkt->kind == VPX_CODEC_CX_FRAME_PKT) {
			frame = pkt->data.frame.buf;
			*n = pkt->data.frame.sz;
			*key_out = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
		}
	}
	return frame;
}

static void pigeon_vp8enc_free(pigeon_vp8enc *e) {
	vpx_codec_destroy(&e->ctx);
	free(e);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"time"
	"unsafe"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// vp8Speed is libvpx's cpu-used for VP8: negative numbers fix the speed,
// -6 being what real-time callers such as libwebrtc use on a desktop: about
// half the time a picture of libvpx's default of 0, at the same bit rate
// (docs/PERFORMANCE.md).
const vp8Speed = -6

// vp8Params builds pigeon's VP8 encoder, for mediadevices' codec selector.
//
// mediadevices' own VP8 encoder sets libvpx's whole configuration again
// before every picture (vpx_codec_enc_config_set), which costs VP8 several
// times its time per picture (docs/PERFORMANCE.md), and gives libvpx times in
// microseconds on a millisecond time base. This one sets the configuration
// only when the bit rate changes, counts time in microseconds, and sets
// the real-time speed (vp8Speed).
type vp8Params struct {
	BitRate          int // bits per second
	KeyFrameInterval int // pictures; 0 means 60, mediadevices' default
}

// RTPCodec is VP8's, as mediadevices' VP8 encoder has it.
func (p *vp8Params) RTPCodec() *codec.RTPCodec { return codec.NewRTPVP8Codec(90000) }

// BuildVideoEncoder starts an encoder of the pictures r gives, of the size
// m says.
func (p *vp8Params) BuildVideoEncoder(r video.Reader, m prop.Media) (codec.ReadCloser, error) {
	e := &vp8Encoder{r: video.ToI420(r), params: *p, bitRate: p.BitRate}
	if e.params.KeyFrameInterval == 0 {
		e.params.KeyFrameInterval = 60
	}
	if err := e.open(m.Width, m.Height); err != nil {
		return nil, err
	}
	return e, nil
}

// The encoder's errors.
var (
	// errVP8Encoder means libvpx could not make an encoder.
	errVP8Encoder = errors.New("libvpx could not start a VP8 encoder")
	// errVP8Picture is a picture libvpx could not encode.
	errVP8Picture = errors.New("libvpx could not encode the picture")
)

// vp8Encoder is a libvpx VP8 encoder of a video.Reader's pictures. It is its
// own controller: ForceKeyFrame and SetBitRate.
type vp8Encoder struct {
	r      video.Reader
	params vp8Params

	mu      sync.Mutex
	enc     *C.pigeon_vp8enc
	w, h    int
	kbps    uint // what the encoder was last set to
	bitRate int  // what it should be
	key     bool // the next picture must be a keyframe
	start   time.Time
	last    time.Time
	closed  bool
}

// open makes the libvpx encoder for pictures of w x h.
func (e *vp8Encoder) open(w, h int) error {
	if e.enc != nil {
		C.pigeon_vp8enc_free(e.enc)
		e.enc = nil
	}
	e.kbps = uint(max(e.bitRate/1000, 1))
	e.enc = C.pigeon_vp8enc_new(C.int(w), C.int(h), C.uint(e.kbps), C.uint(e.params.KeyFrameInterval), vp8Speed)
	if e.enc == nil {
		return fmt.Errorf("%w for %dx%d", errVP8Encoder, w, h)
	}
	e.w, e.h = w, h
	return nil
}

// Read encodes the next picture, and returns its frame, which is the
// caller's.
func (e *vp8Encoder) Read() ([]byte, func(), error) {
	for {
		img, release, err := e.r.Read()
		if err != nil {
			return nil, func() {}, err
		}
		frame, err := e.encode(img.(*image.YCbCr))
		release()
		if err != nil || frame != nil {
			return frame, func() {}, err
		}
		// Dropped by the rate control: the next picture.
	}
}

func (e *vp8Encoder) encode(img *image.YCbCr) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, io.EOF
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w != e.w || h != e.h {
		// Another source, of another size: a new encoder, which starts
		// with a keyframe.
		if err := e.open(w, h); err != nil {
			return nil, err
		}
	}
	if kbps := uint(max(e.bitRate/1000, 1)); kbps != e.kbps {
		if C.pigeon_vp8enc_rate(e.enc, C.uint(kbps)) != 0 {
			return nil, fmt.Errorf("libvpx refused a bit rate of %d kbit/s", kbps)
		}
		e.kbps = kbps
	}
	now := time.Now()
	if e.start.IsZero() {
		e.start, e.last = now, now
	}
	dur := max(now.Sub(e.last).Microseconds(), 1)
	e.last = now
	var n C.size_t
	var key, failed C.int
	force := C.int(0)
	if e.key {
		force = 1
	}
	p := C.pigeon_vp8enc_encode(e.enc,
		(*C.uchar)(unsafe.Pointer(&img.Y[0])), (*C.uchar)(unsafe.Pointer(&img.Cb[0])), (*C.uchar)(unsafe.Pointer(&img.Cr[0])),
		C.int(img.YStride), C.int(img.CStride), C.longlong(now.Sub(e.start).Microseconds()), C.ulong(dur), force, &n, &key, &failed)
	if failed != 0 {
		return nil, errVP8Picture
	}
	if p == nil || n == 0 {
		return nil, nil
	}
	if key != 0 {
		e.key = false
	}
	return C.GoBytes(p, C.int(n)), nil
}

// Controller returns the encoder itself.
func (e *vp8Encoder) Controller() codec.EncoderController { return e }

// ForceKeyFrame makes the next picture a keyframe.
func (e *vp8Encoder) ForceKeyFrame() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.key = true
	return nil
}

// SetBitRate sets the bit rate the next pictures aim at.
func (e *vp8Encoder) SetBitRate(bitsPerSecond int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bitRate = bitsPerSecond
	return nil
}

// Close frees the encoder.
func (e *vp8Encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed && e.enc != nil {
		C.pigeon_vp8enc_free(e.enc)
		e.enc = nil
	}
	e.closed = true
	return nil
}
