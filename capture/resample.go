package capture

import "math"

// resampler converts mono sound from one sample rate to another with a
// windowed-sinc (Kaiser) filter: band-limited, so that speech at 22.05 kHz
// (espeak-ng's) or 44.1 kHz comes out at 48 kHz with no images of itself
// above the old Nyquist frequency, and sound at a higher rate loses what
// the new one cannot carry rather than folding it back. It is streaming:
// what it is given goes on from what it was given before, so a file played
// in a loop has no seam.
type resampler struct {
	up, down int // out/in = up/down, in lowest terms
	half     int // taps on each side of the centre
	phases   int // rows of the table: up, or resamplerPhases for a finer ratio
	table    []float32

	buf  []float32 // input not wholly used yet; buf[pos] is the centre
	pos  int
	frac int // the output's position past buf[pos], in 1/up of an input sample
}

// resamplerZeros is the filter's reach, in zero crossings of its sinc on
// each side; resamplerPhases bounds the table for ratios of large terms.
const (
	resamplerZeros  = 16
	resamplerPhases = 1024
	resamplerBeta   = 8.6 // Kaiser's: about 90 dB of stop band
)

func newResampler(inRate, outRate int) *resampler {
	g := gcd(inRate, outRate)
	r := &resampler{up: outRate / g, down: inRate / g}
	// The cut-off is the lower Nyquist frequency, a little under it so that
	// the filter's transition band stays below it.
	cutoff := 0.95 * min(1, float64(outRate)/float64(inRate))
	r.half = int(math.Ceil(resamplerZeros / cutoff))
	r.phases = min(r.up, resamplerPhases)
	taps := 2 * r.half
	r.table = make([]float32, (r.phases+1)*taps)
	i0Beta := besselI0(resamplerBeta)
	for p := 0; p <= r.phases; p++ {
		row := r.table[p*taps:][:taps]
		offset := float64(p) / float64(r.phases)
		var sum float64
		for j := range taps {
			x := float64(j-r.half+1) - offset // from the output's position
			h := cutoff * sinc(cutoff*x) * kaiser(x/float64(r.half), resamplerBeta, i0Beta)
			row[j] = float32(h)
			sum += h
		}
		for j := range row { // unity gain at 0 Hz for every phase
			row[j] = float32(float64(row[j]) / sum)
		}
	}
	// The first output lies on the first input sample, with silence
	// before it.
	r.buf = make([]float32, r.half-1, 4096)
	r.pos = r.half - 1
	return r
}

// push hands the resampler more input.
func (r *resampler) push(in []float32) {
	if r.pos > 4096 {
		// Drop what no output reaches back to any more.
		drop := r.pos - r.half + 1
		r.buf = append(r.buf[:0], r.buf[drop:]...)
		r.pos -= drop
	}
	r.buf = append(r.buf, in...)
}

// pull writes as much output into out as the input pushed so far gives,
// and returns how much.
func (r *resampler) pull(out []float32) int {
	taps := 2 * r.half
	n := 0
	for n < len(out) && r.pos+r.half < len(r.buf) {
		// frac/up of the way from buf[pos] to buf[pos+1], rounded to the
		// table's phases.
		p := (r.frac*r.phases + r.up/2) / r.up
		row := r.table[p*taps:][:taps]
		in := r.buf[r.pos-r.half+1:][:taps]
		var acc float32
		for j, h := range row {
			acc += h * in[j]
		}
		out[n] = acc
		n++
		r.frac += r.down
		r.pos += r.frac / r.up
		r.frac %= r.up
	}
	return n
}

// need says how much more input the next output wants.
func (r *resampler) need() int {
	return max(r.pos+r.half+1-len(r.buf), 0)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1]; i0Beta is besselI0(beta).
func kaiser(x, beta, i0Beta float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-x*x)) / i0Beta
}

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2 / float64(k)) * (x / 2 / float64(k))
		sum += term
		if term < sum*1e-12 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
