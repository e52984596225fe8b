package mediatest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
)

// Say is text said by espeak-ng's voice, as 16-bit mono samples at 48 kHz
// (ffmpeg resamples).
func Say(voice, text string) ([]int16, error) {
	wav, err := exec.Command("espeak-ng", "-v", voice, "-s", "150", "--stdout", text).Output()
	if err != nil {
		return nil, fmt.Errorf("espeak-ng: %w: %s", err, stderrOf(err))
	}
	ff := exec.Command("ffmpeg", "-v", "error", "-i", "-", "-ar", "48000", "-ac", "1", "-f", "s16le", "-")
	ff.Stdin = bytes.NewReader(wav)
	raw, err := ff.Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: %w: %s", err, stderrOf(err))
	}
	return bytesPCM(raw), nil
}

// WriteWAV writes pcm (16-bit mono at 48 kHz) to path as a WAV file.
func WriteWAV(path string, pcm []int16) error {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+2*len(pcm)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(48000), uint32(96000), uint16(2), uint16(16)} {
		binary.Write(&b, le, v) // the format: PCM, mono, 48 kHz, 16-bit
	}
	b.WriteString("data")
	binary.Write(&b, le, uint32(2*len(pcm)))
	binary.Write(&b, le, pcm)
	return os.WriteFile(path, b.Bytes(), 0o600)
}

func bytesPCM(raw []byte) []int16 {
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm
}

// Find returns where in sig ref is heard best (sig[at+i] follows ref[i]),
// looking at every offset from 0 to len(sig)-len(ref), and the normalised
// correlation there. It correlates through the FFT at 8 kHz, then refines
// the offset at full rate.
func Find(sig, ref []int16) (at int, corr float64) {
	const dec = 6 // 48 kHz to 8 kHz
	s, r := decimate(sig, dec), decimate(ref, dec)
	if len(r) == 0 || len(s) < len(r) {
		return 0, 0
	}
	a, b, n := spectra(s, r)
	for i := range a {
		a[i] *= complex(real(b[i]), -imag(b[i]))
	}
	FFT(a, true)
	// Normalise by the energy of the stretch of s under r at each offset.
	prefix := make([]float64, len(s)+1)
	for i, v := range s {
		prefix[i+1] = prefix[i] + v*v
	}
	var rr float64
	for _, v := range r {
		rr += v * v
	}
	best, bestAt := -2.0, 0
	for k := 0; k+len(r) <= len(s); k++ {
		e := prefix[k+len(r)] - prefix[k]
		if e <= 0 || rr <= 0 {
			continue
		}
		if c := real(a[k]) / float64(n) / math.Sqrt(e*rr); c > best {
			best, bestAt = c, k
		}
	}
	// Refine at full rate around the coarse offset.
	best = -2
	at = bestAt * dec
	for k := max(at-2*dec, 0); k <= min(at+2*dec, len(sig)-len(ref)); k++ {
		if c := Correlation(sig[k:k+len(ref)], ref, 0); c > best {
			best, at = c, k
		}
	}
	return at, best
}

// Convolve is x convolved with h (a room's response, say), through the
// FFT: len(x)+len(h)-1 samples.
func Convolve(x, h []float64) []float64 {
	a, b, n := spectra(x, h)
	for i := range a {
		a[i] *= b[i]
	}
	FFT(a, true)
	out := make([]float64, len(x)+len(h)-1)
	for i := range out {
		out[i] = real(a[i]) / float64(n)
	}
	return out
}

// MeanSquare is the mean of the squares of pcm: its power.
func MeanSquare(pcm []int16) float64 {
	var sum float64
	for _, v := range pcm {
		sum += float64(v) * float64(v)
	}
	return sum / float64(max(len(pcm), 1))
}

func decimate(pcm []int16, k int) []float64 {
	out := make([]float64, len(pcm)/k)
	for i := range out {
		var sum float64
		for _, v := range pcm[i*k : i*k+k] {
			sum += float64(v)
		}
		out[i] = sum / float64(k)
	}
	return out
}

// spectra are the transforms of x and y, zero-padded to n, the first power
// of two that holds their whole convolution or correlation.
func spectra(x, y []float64) (a, b []complex128, n int) {
	n = 1
	for n < len(x)+len(y) {
		n <<= 1
	}
	a, b = make([]complex128, n), make([]complex128, n)
	for i, v := range x {
		a[i] = complex(v, 0)
	}
	for i, v := range y {
		b[i] = complex(v, 0)
	}
	FFT(a, false)
	FFT(b, false)
	return a, b, n
}

// FFT transforms a in place, its length a power of two; inverse leaves the
// division by the length to the caller.
func FFT(a []complex128, inverse bool) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		angle := -2 * math.Pi / float64(size)
		if inverse {
			angle = -angle
		}
		step := complex(math.Cos(angle), math.Sin(angle))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := 0; k < size/2; k++ {
				u, v := a[start+k], a[start+k+size/2]*w
				a[start+k], a[start+k+size/2] = u+v, u-v
				w *= step
			}
		}
	}
}
