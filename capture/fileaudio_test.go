package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// wavCases are WAV files of the kinds pigeon plays.
var wavCases = []struct {
	name   string
	format wavFormat
	tag    uint16
	bits   int
}{
	{"8-bit 8 kHz mono", wavFormat{channels: 1, rate: 8000, sampleSize: 1}, wavPCM, 8},
	{"16-bit 22.05 kHz mono", wavFormat{channels: 1, rate: 22050, sampleSize: 2}, wavPCM, 16},
	{"24-bit 44.1 kHz stereo", wavFormat{channels: 2, rate: 44100, sampleSize: 3}, wavPCM, 24},
	{"32-bit 48 kHz mono", wavFormat{channels: 1, rate: 48000, sampleSize: 4}, wavPCM, 32},
	{"float 96 kHz stereo", wavFormat{channels: 2, rate: 96000, sampleSize: 4, float: true}, wavFloat, 32},
	{"double 16 kHz mono", wavFormat{channels: 1, rate: 16000, sampleSize: 8, float: true}, wavFloat, 64},
	{"extensible 16-bit 44.1 kHz 6 channels", wavFormat{channels: 6, rate: 44100, sampleSize: 2}, wavExtensible, 16},
	{"extensible float 32 kHz stereo", wavFormat{channels: 2, rate: 32000, sampleSize: 4, float: true}, wavExtensible, 32},
}

// sine is n frames of a tone of hz at amp, the same on every channel.
func sine(f wavFormat, hz, amp float64, n int) [][]float64 {
	frames := make([][]float64, n)
	for i := range frames {
		v := amp * math.Sin(2*math.Pi*hz*float64(i)/float64(f.rate))
		frames[i] = make([]float64, f.channels)
		for c := range frames[i] {
			frames[i][c] = v
		}
	}
	return frames
}

// wavBytes is a WAV file of frames, with a LIST chunk between its format
// and its sound as many writers put one.
func wavBytes(f wavFormat, tag uint16, bits int, frames [][]float64) []byte {
	var fmtChunk bytes.Buffer
	le := func(v any) { binary.Write(&fmtChunk, binary.LittleEndian, v) }
	le(tag)
	le(uint16(f.channels))
	le(uint32(f.rate))
	le(uint32(f.rate * f.channels * f.sampleSize))
	le(uint16(f.channels * f.sampleSize))
	le(uint16(bits))
	if tag == wavExtensible {
		sub := uint16(wavPCM)
		if f.float {
			sub = wavFloat
		}
		le(uint16(22))
		le(uint16(bits))
		le(uint32(0))
		le(sub)
		fmtChunk.Write([]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71})
	}
	var data bytes.Buffer
	for _, frame := range frames {
		for _, v := range frame {
			switch {
			case f.float && f.sampleSize == 4:
				binary.Write(&data, binary.LittleEndian, float32(v))
			case f.float:
				binary.Write(&data, binary.LittleEndian, v)
			case f.sampleSize == 1:
				data.WriteByte(byte(math.Round(v*127) + 128))
			case f.sampleSize == 2:
				binary.Write(&data, binary.LittleEndian, int16(math.Round(v*32767)))
			case f.sampleSize == 3:
				s := int32(math.Round(v * (1<<23 - 1)))
				data.Write([]byte{byte(s), byte(s >> 8), byte(s >> 16)})
			default:
				binary.Write(&data, binary.LittleEndian, int32(math.Round(v*(1<<31-1))))
			}
		}
	}
	var out bytes.Buffer
	chunk := func(id string, body []byte) {
		out.WriteString(id)
		binary.Write(&out, binary.LittleEndian, uint32(len(body)))
		out.Write(body)
		if len(body)%2 == 1 {
			out.WriteByte(0)
		}
	}
	out.WriteString("RIFF\x00\x00\x00\x00WAVE")
	chunk("fmt ", fmtChunk.Bytes())
	chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00test\x00"))
	chunk("data", data.Bytes())
	b := out.Bytes()
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readSound reads n chunks of a and returns their samples, checking each
// is 20 ms of 48 kHz mono.
func readSound(t *testing.T, a *FileAudio, n int) []int16 {
	t.Helper()
	var pcm []int16
	for range n {
		chunk, _, err := a.Read()
		if err != nil {
			t.Fatal(err)
		}
		c := chunk.(*wave.Int16Interleaved)
		if c.Size != (wave.ChunkInfo{Len: 960, Channels: 1, SamplingRate: 48000}) {
			t.Fatalf("chunk %+v, want 960 samples of 48 kHz mono", c.Size)
		}
		pcm = append(pcm, c.Data...)
	}
	return pcm
}

// level is the power of pcm (48 kHz) at hz, as an amplitude (Goertzel).
func level(pcm []int16, hz float64) float64 {
	w := 2 * math.Pi * hz / 48000
	var s1, s2 float64
	for _, v := range pcm {
		s := float64(v)/32768 + 2*math.Cos(w)*s1 - s2
		s2, s1 = s1, s
	}
	power := s1*s1 + s2*s2 - 2*math.Cos(w)*s1*s2
	return 2 * math.Sqrt(power) / float64(len(pcm))
}

// TestFileAudioPlaysEveryKindOfWAV plays a 1 kHz tone from WAV files of
// each sample format, rate and channel count: it comes out at 48 kHz mono,
// at its pitch and level. The float file also holds a 30 kHz tone, above
// what 48 kHz carries: the conversion removes it rather than fold it back
// to 18 kHz.
func TestFileAudioPlaysEveryKindOfWAV(t *testing.T) {
	for _, c := range wavCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			frames := sine(c.format, 1000, 0.5, c.format.rate/2)
			if c.format.rate == 96000 {
				for i, f := range frames {
					for ch := range f {
						f[ch] += 0.25 * math.Sin(2*math.Pi*30000*float64(i)/96000)
					}
				}
			}
			a, err := OpenFileAudio(writeFile(t, "tone.wav", wavBytes(c.format, c.tag, c.bits, frames)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if !strings.Contains(a.Label(), "WAV") || !strings.Contains(a.Label(), "looped") {
				t.Errorf("label %q says not what plays", a.Label())
			}
			pcm := readSound(t, a, 10)[480:] // past the filter's first samples
			if hz := mediatest.ToneHz(pcm, 48000); math.Abs(hz-1000) > 2 {
				t.Errorf("the tone is %.1f Hz, want 1000", hz)
			}
			if l := level(pcm, 1000); math.Abs(l-0.5) > 0.01 {
				t.Errorf("the tone's level is %.3f, want 0.5", l)
			}
			if alias := level(pcm, 18000); alias > 0.5e-3 {
				t.Errorf("%.4f of full scale at 18 kHz: sound above 24 kHz folded back", alias)
			}
		})
	}
}

// TestFileAudioLoopsWithoutASeam plays a WAV file of exactly 100 periods
// of 400 Hz at 8 kHz, three times over: what comes out is one unbroken
// tone at 48 kHz, the same at the seams as anywhere, and each 20 ms chunk
// is due 20 ms after the one before.
func TestFileAudioLoopsWithoutASeam(t *testing.T) {
	f := wavFormat{channels: 1, rate: 8000, sampleSize: 2}
	a, err := OpenFileAudio(writeFile(t, "tone.wav", wavBytes(f, wavPCM, 16, sine(f, 400, 0.5, 2000))))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var pcm []int16
	var dues []int64
	for range 40 { // 0.8 s: the file is 0.25 s
		pcm = append(pcm, readSound(t, a, 1)...)
		a.mu.Lock()
		dues = append(dues, a.next.UnixNano())
		a.mu.Unlock()
	}
	for i := 1; i < len(dues); i++ {
		if d := dues[i] - dues[i-1]; d != int64(fileAudioChunk) {
			t.Fatalf("chunk %d is due %v after the one before, want 20 ms", i, d)
		}
	}
	if got := a.sound.(wavSound).loops; got < 3 {
		t.Fatalf("the file started over %d times in 0.8 s, want 3", got)
	}
	worst, at := 0.0, 0
	for i := 480; i < len(pcm); i++ { // past the filter's first samples
		want := 0.5 * math.Sin(2*math.Pi*400*float64(i)/48000)
		if d := math.Abs(float64(pcm[i])/32767 - want); d > worst {
			worst, at = d, i
		}
	}
	if worst > 0.005 {
		t.Fatalf("the tone is %.4f off at %.4f s (the seams are at 0.25 s, 0.5 s, 0.75 s)", worst, float64(at)/48000)
	}
}

// TestOpenSoundFileSendsTheSpeech opens espeak-ng's speech, as a WAV file
// and as Ogg Opus, as a call's audio and reads it through the track: it is
// the speech that ffmpeg decodes from the file, from its start.
func TestOpenSoundFileSendsTheSpeech(t *testing.T) {
	for _, name := range []string{"speech.wav", "speech.ogg"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := mediatest.Speech(t, name)
			m, err := Open(Options{Video: None, Audio: path})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if !strings.HasPrefix(m.AudioLabel, "the sound "+name) {
				t.Errorf("label %q", m.AudioLabel)
			}
			r := unwrap(m.Audio).(*mediadevices.AudioTrack).NewReader(false)
			var got []int16
			for len(got) < 48000 {
				chunk, release, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				c := chunk.(*wave.Int16Interleaved)
				if c.Size.SamplingRate != 48000 || c.Size.Channels != 1 {
					t.Fatalf("chunk %+v, want 48 kHz mono", c.Size)
				}
				got = append(got, c.Data...)
				release()
			}
			want, err := mediatest.DecodeSound(path, 48000)
			if err != nil {
				t.Fatal(err)
			}
			// The track's reader may start a chunk or two in.
			offset, corr := mediatest.BestOffset(got[:24000], want, 0, 4800)
			if corr < 0.95 {
				t.Fatalf("the sound sent correlates %.3f with the file's at best (%d samples in), want 0.95", corr, offset)
			}
			if offset%960 > 48 && offset%960 < 912 {
				t.Errorf("the sound sent is %d samples into the file, not on a chunk's start", offset)
			}
		})
	}
}

// TestOggLoopsWithoutAGap plays a short Ogg Opus tone three times over:
// no silence between one time and the next.
func TestOggLoopsWithoutAGap(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "tone.ogg")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=400:duration=0.3",
		"-c:a", "libopus", path).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	a, err := OpenFileAudio(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pcm := readSound(t, a, 50)
	if loops := a.sound.(*oggSound).loops; loops < 3 {
		t.Fatalf("the file started over %d times in 1 s, want 3", loops)
	}
	if gap := mediatest.LongestGap(pcm, 48000); gap > 0 {
		t.Fatalf("%v of silence in the loop", gap)
	}
	if hz := mediatest.ToneHz(pcm, 48000); math.Abs(hz-400) > 2 {
		t.Fatalf("the tone is %.1f Hz, want 400", hz)
	}
}

// TestFileAudioRefusesWhatItCannotPlay gives OpenFileAudio and Open files
// that are not sound pigeon plays: each is refused with a line that says
// why, and nothing panics.
func TestFileAudioRefusesWhatItCannotPlay(t *testing.T) {
	mono := wavFormat{channels: 1, rate: 8000, sampleSize: 2}
	good := wavBytes(mono, wavPCM, 16, sine(mono, 400, 0.5, 800))
	patch := func(at int, b ...byte) []byte {
		c := bytes.Clone(good)
		copy(c[at:], b)
		return c
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"text", []byte("just some words\n"), "not a sound file pigeon plays"},
		{"empty", nil, "not a sound file pigeon plays"},
		{"y4m", y4mBytes("W2 H2", 2, 2, 2, 2, 1), "holds pictures, not sound"},
		{"mp3 in a WAV", patch(20, 0x55, 0), "format 0x55"},
		{"no channels", patch(22, 0, 0), "0 channels"},
		{"a rate of 1 kHz", patch(24, 0xe8, 0x03, 0, 0), "1000 Hz"},
		{"12-byte frames", patch(32, 12, 0), "frames are 12 bytes"},
		{"cut in its header", good[:30], "cut short"},
		{"no sound", good[:len(good)-1600], "holds no sound"},
		{"RIFX", patch(0, 'R', 'I', 'F', 'X'), "not a sound file"},
		{"sound before format", wavDataFirst(), "before its format"},
		{"an Ogg that is not Opus", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x01vorbis"), "not an Ogg Opus file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "sound", c.data)
			_, err := OpenFileAudio(path)
			if !errors.Is(err, ErrMediaFile) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("OpenFileAudio: %v, want ErrMediaFile saying %q in one line", err, c.want)
			}
			if _, err := Open(Options{Audio: path}); !errors.Is(err, ErrMediaFile) {
				t.Fatalf("Open: %v, want ErrMediaFile", err)
			}
		})
	}
	if _, err := Open(Options{Audio: filepath.Join(t.TempDir(), "missing.wav")}); !errors.Is(err, ErrUnknownSource) ||
		!strings.Contains(err.Error(), "no file has that name") {
		t.Errorf("a missing file: %v, want ErrUnknownSource saying there is no such file", err)
	}
	if _, err := Open(Options{Audio: t.TempDir()}); !errors.Is(err, ErrMediaFile) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("a directory: %v, want ErrMediaFile saying it is a directory", err)
	}
}

// wavDataFirst is a WAV file whose sound comes before its format.
func wavDataFirst() []byte {
	var b bytes.Buffer
	b.WriteString("RIFF\x24\x00\x00\x00WAVEdata\x04\x00\x00\x00\x01\x02\x03\x04")
	return b.Bytes()
}

// TestFileAudioDamagedWhilePlaying plays a WAV file cut short on disk
// while it plays, and an Ogg Opus file with a page of noise in its middle:
// the track ends with an error that says so, and nothing panics.
func TestFileAudioDamagedWhilePlaying(t *testing.T) {
	t.Run("wav", func(t *testing.T) {
		t.Parallel()
		f := wavFormat{channels: 1, rate: 48000, sampleSize: 2}
		data := wavBytes(f, wavPCM, 16, sine(f, 400, 0.5, 4800))
		path := writeFile(t, "tone.wav", data)
		m, err := Open(Options{Audio: path})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if err := os.Truncate(path, int64(len(data)-4000)); err != nil {
			t.Fatal(err)
		}
		// The file is 0.1 s long: the loop reads it again from disk.
		endsWith(t, m.Audio, 100, "cut short")
	})
	t.Run("ogg", func(t *testing.T) {
		t.Parallel()
		data, err := os.ReadFile(mediatest.Speech(t, "speech.ogg"))
		if err != nil {
			t.Fatal(err)
		}
		for i := len(data) / 2; i < len(data)/2+200; i++ {
			data[i] ^= 0x5a
		}
		m, err := Open(Options{Audio: writeFile(t, "speech.ogg", data)})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		endsWith(t, m.Audio, 200, "is damaged")
	})
}

// endsWith reads track until it fails, at most n chunks, and checks that
// it ended with ErrMediaFile saying want, and told its OnEnded so.
func endsWith(t *testing.T, track mediadevices.Track, n int, want string) {
	t.Helper()
	ended := make(chan error, 1)
	track.OnEnded(func(err error) { ended <- err })
	r := unwrap(track).(*mediadevices.AudioTrack).NewReader(false)
	var err error
	for range n {
		if _, _, err = r.Read(); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrMediaFile) || !strings.Contains(err.Error(), want) {
		t.Fatalf("reading the damaged file: %v, want ErrMediaFile saying %q", err, want)
	}
	if err := <-ended; !errors.Is(err, ErrMediaFile) {
		t.Fatalf("the track ended with %v, want ErrMediaFile", err)
	}
}
