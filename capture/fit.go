package capture

import "image"

// fitter draws pictures of a video file into the frames a call sends:
// scaled to fit, keeping their shape, centred on black, with bilinear
// sampling. Frames keep one size for the whole call (the encoder's), while
// a file's pictures have their own.
type fitter struct {
	width, height int
	frame         *image.YCbCr // made for the first picture that needs drawing
	same          image.YCbCr  // a picture of the frame's size and chroma, as it is

	// For the last source size seen: where the picture goes and how each
	// plane is sampled.
	srcW, srcH, sx, sy int
	x0, y0, w, h       int
	luma, chroma       [2]axis // across, down
}

// axis maps each destination sample of a line to the two source samples
// it lies between and the weight of the second, out of 256.
type axis struct {
	i0, i1 []int32
	f      []uint16
}

func newAxis(dst, src int) axis {
	a := axis{i0: make([]int32, dst), i1: make([]int32, dst), f: make([]uint16, dst)}
	for d := range dst {
		// Sample centres line up: destination sample d covers source
		// position (d+0.5)*src/dst - 0.5.
		s := (float64(d)+0.5)*float64(src)/float64(dst) - 0.5
		s = max(s, 0)
		i := int(s)
		if i >= src-1 {
			a.i0[d], a.i1[d] = int32(src-1), int32(src-1)
			continue
		}
		a.i0[d], a.i1[d], a.f[d] = int32(i), int32(i+1), uint16((s-float64(i))*256+0.5)
	}
	return a
}

func newFitter(width, height int) *fitter {
	return &fitter{width: width, height: height}
}

// draw lays src out in the frame and returns the frame, which stays as it
// is until the next draw. A 4:2:0 picture of the frame's size is returned
// as it is, in src's own buffers: the file's reader keeps them until the
// next picture, as the frame would be kept until the next draw.
func (f *fitter) draw(src *planar) *image.YCbCr {
	if src.w == f.width && src.h == f.height && src.sx == 2 && src.sy == 2 && src.cb != nil {
		f.same = image.YCbCr{
			Y: src.y, Cb: src.cb, Cr: src.cr, YStride: src.ys, CStride: src.cs,
			SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, src.w, src.h),
		}
		return &f.same
	}
	if f.frame == nil {
		f.frame = image.NewYCbCr(image.Rect(0, 0, f.width, f.height), image.YCbCrSubsampleRatio420)
		f.srcW = 0 // laid out anew, on black
	}
	if src.w != f.srcW || src.h != f.srcH || src.sx != f.sx || src.sy != f.sy {
		f.layOut(src)
	}
	fr := f.frame
	scalePlane(fr.Y, fr.YStride, f.x0, f.y0, f.luma, src.y, src.ys, src.w, src.h)
	if src.cb != nil {
		cx, cy := f.x0/2, f.y0/2
		cw, ch := src.chromaSize()
		scalePlane(fr.Cb, fr.CStride, cx, cy, f.chroma, src.cb, src.cs, cw, ch)
		scalePlane(fr.Cr, fr.CStride, cx, cy, f.chroma, src.cr, src.cs, cw, ch)
	}
	return fr
}

// layOut works out where pictures of src's size go, and blacks out the
// frame around them.
func (f *fitter) layOut(src *planar) {
	f.srcW, f.srcH, f.sx, f.sy = src.w, src.h, src.sx, src.sy
	fw, fh := f.frame.Rect.Dx(), f.frame.Rect.Dy()
	w, h := fw, max(fw*src.h/src.w, 1)
	if h > fh {
		w, h = max(fh*src.w/src.h, 1), fh
	}
	// Even offsets and sizes keep the chroma planes lined up with luma.
	if w < fw {
		w = max(w&^1, min(fw, 2))
	}
	if h < fh {
		h = max(h&^1, min(fh, 2))
	}
	f.x0, f.y0, f.w, f.h = ((fw-w)/2)&^1, ((fh-h)/2)&^1, w, h
	fill(f.frame, 16)
	f.luma = [2]axis{newAxis(w, src.w), newAxis(h, src.h)}
	cw, ch := src.chromaSize()
	dcw := min((w+1)/2, (fw+1)/2-f.x0/2)
	dch := min((h+1)/2, (fh+1)/2-f.y0/2)
	f.chroma = [2]axis{newAxis(dcw, cw), newAxis(dch, ch)}
}

// scalePlane draws src (sw x sh samples, rows stride apart) into dst at
// (x0, y0), sampled along the axes.
func scalePlane(dst []byte, dstStride, x0, y0 int, axes [2]axis, src []byte, stride, sw, sh int) {
	across, down := axes[0], axes[1]
	if len(across.f) == sw && len(down.f) == sh {
		for y := range sh {
			copy(dst[(y0+y)*dstStride+x0:][:sw], src[y*stride:][:sw])
		}
		return
	}
	for y := range down.f {
		r0 := src[int(down.i0[y])*stride:]
		r1 := src[int(down.i1[y])*stride:]
		fy := uint32(down.f[y])
		out := dst[(y0+y)*dstStride+x0:][:len(across.f)]
		for x := range out {
			i0, i1, fx := across.i0[x], across.i1[x], uint32(across.f[x])
			top := uint32(r0[i0])*(256-fx) + uint32(r0[i1])*fx
			bottom := uint32(r1[i0])*(256-fx) + uint32(r1[i1])*fx
			out[x] = uint8((top*(256-fy) + bottom*fy + 1<<15) >> 16)
		}
	}
}
