// Command baseline is the call a user would build with pion's examples as the
// template, for the benchmarks to compare pigeon with: a PeerConnection with
// all default codecs, the default SettingEngine and interceptors (but for
// candidates kept on loopback, as benchmarks here must be), a "chat"
// data channel announced by the caller, and codes written as base64 of the
// JSON session description. It sends the same test sources as pigeon, VP8 at
// the same bit rate and Opus, and decodes the video it receives.
//
//	baseline call   --signal-out o --signal-in a --trace t.jsonl
//	baseline answer --signal-in o --signal-out a --trace t.jsonl
//
// --video FILE and --audio FILE send a Y4M or IVF video and a WAV or Ogg
// Opus sound in place of the test sources, read as pigeon reads them.
//
// The call ends at the end of stdin, or when the peer's data channel closes.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/trace"
)

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "call" && os.Args[1] != "answer") {
		fmt.Fprintln(os.Stderr, "usage: baseline call|answer --signal-in PATH --signal-out PATH [--trace PATH] [--video FILE] [--audio FILE]")
		os.Exit(2)
	}
	caller := os.Args[1] == "call"
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	in := fs.String("signal-in", "", "read the peer's code from this file or FIFO")
	out := fs.String("signal-out", "", "write this side's code to this file or FIFO")
	tracePath := fs.String("trace", "", "write timestamped events here")
	videoFile := fs.String("video", "", "send this video file in place of the test picture")
	audioFile := fs.String("audio", "", "send this sound file in place of the test tone")
	fs.Parse(os.Args[2:])

	if err := run(caller, *in, *out, *tracePath, *videoFile, *audioFile); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(caller bool, in, out, tracePath, videoFile, audioFile string) error {
	tr, err := trace.Open(tracePath)
	if err != nil {
		return err
	}
	defer tr.Close()

	// The tracks close after the PeerConnection (defers run last first):
	// mediadevices cannot unbind a track that is already closed.
	tracks, err := testTracks(videoFile, audioFile)
	if err != nil {
		return err
	}
	defer func() {
		for _, t := range tracks {
			t.Close()
		}
	}()
	pc, err := newPeerConnection()
	if err != nil {
		return err
	}
	defer pc.Close()

	ended := make(chan struct{})
	var endOnce sync.Once
	end := func() { endOnce.Do(func() { close(ended) }) }
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			tr.Mark(trace.Connected)
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			end()
		}
	})
	onChannel := func(dc *webrtc.DataChannel) {
		dc.OnOpen(func() { tr.Mark(trace.ChatOpen) })
		dc.OnClose(end)
	}
	video := &decoded{}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			go video.decode(track, tr)
			return
		}
		go drain(track)
	})

	if caller {
		for _, t := range tracks {
			if _, err := pc.AddTrack(t); err != nil {
				return err
			}
		}
		dc, err := pc.CreateDataChannel("chat", nil)
		if err != nil {
			return err
		}
		onChannel(dc)
		offer, err := pc.CreateOffer(nil)
		if err != nil {
			return err
		}
		if err := complete(pc, offer); err != nil {
			return err
		}
		if err := writeCode(out, pc.LocalDescription()); err != nil {
			return err
		}
		tr.Mark(trace.CodeWritten)
		answer, err := readCode(in)
		if err != nil {
			return err
		}
		tr.Mark(trace.CodeRead)
		if err := pc.SetRemoteDescription(answer); err != nil {
			return err
		}
	} else {
		pc.OnDataChannel(onChannel)
		offer, err := readCode(in)
		if err != nil {
			return err
		}
		tr.Mark(trace.CodeRead)
		if err := pc.SetRemoteDescription(offer); err != nil {
			return err
		}
		for _, t := range tracks {
			if _, err := pc.AddTrack(t); err != nil {
				return err
			}
		}
		answer, err := pc.CreateAnswer(nil)
		if err != nil {
			return err
		}
		if err := complete(pc, answer); err != nil {
			return err
		}
		if err := writeCode(out, pc.LocalDescription()); err != nil {
			return err
		}
		tr.Mark(trace.CodeWritten)
	}

	stdinDone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stdinDone)
	}()
	select {
	case <-stdinDone:
	case <-ended:
	}
	tr.Write(video.summary())
	return nil
}

// newPeerConnection is webrtc.NewPeerConnection with pion's defaults (all
// default codecs and interceptors), except that candidates stay on the
// loopback interface, as every benchmark here must.
func newPeerConnection() (*webrtc.PeerConnection, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	return api.NewPeerConnection(webrtc.Configuration{})
}

func complete(pc *webrtc.PeerConnection, desc webrtc.SessionDescription) error {
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		return err
	}
	<-gathered
	return nil
}

// testTracks are pigeon's test sources, or the files given, with the
// encoders pigeon's capture package uses by default: VP8 at the same bit
// rate, and Opus.
func testTracks(videoFile, audioFile string) ([]mediadevices.Track, error) {
	vp8, err := vpx.NewVP8Params()
	if err != nil {
		return nil, err
	}
	vp8.BitRate = capture.DefaultVideoBitRate
	opusParams, err := opus.NewParams()
	if err != nil {
		return nil, err
	}
	selector := mediadevices.NewCodecSelector(
		mediadevices.WithVideoEncoders(&vp8),
		mediadevices.WithAudioEncoders(&opusParams),
	)
	var audio mediadevices.AudioSource = capture.NewTestAudio()
	if audioFile != "" {
		if audio, err = capture.OpenFileAudio(audioFile); err != nil {
			return nil, err
		}
	}
	var video mediadevices.VideoSource = capture.NewTestVideo(capture.DefaultWidth, capture.DefaultHeight, capture.DefaultFrameRate)
	if videoFile != "" {
		if video, err = capture.OpenFileVideo(videoFile, capture.DefaultWidth, capture.DefaultHeight); err != nil {
			return nil, err
		}
	}
	return []mediadevices.Track{
		mediadevices.NewAudioTrack(audio, selector),
		mediadevices.NewVideoTrack(video, selector),
	}, nil
}

// writeCode writes desc the way pion's examples do: base64 of its JSON.
func writeCode(path string, desc *webrtc.SessionDescription) error {
	data, err := json.Marshal(desc)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, base64.StdEncoding.EncodeToString(data))
	return f.Close()
}

func readCode(path string) (webrtc.SessionDescription, error) {
	var desc webrtc.SessionDescription
	f, err := os.Open(path)
	if err != nil {
		return desc, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return desc, err
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil {
		return desc, err
	}
	return desc, json.Unmarshal(data, &desc)
}

func drain(track *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := track.Read(buf); err != nil {
			return
		}
	}
}

// decoded reassembles VP8 frames with pion's samplebuilder and decodes them
// with libvpx, counting the pictures.
type decoded struct {
	mu          sync.Mutex
	frames      int
	first, last time.Time
	latencies   trace.Latencies
}

func (d *decoded) decode(track *webrtc.TrackRemote, tr *trace.Writer) {
	frames := make(chan []byte, 4)
	dec, err := vpx.NewDecoder(chanReader(frames), prop.Media{})
	if err != nil {
		drain(track)
		return
	}
	defer dec.Close()
	go func() {
		defer close(frames)
		sb := samplebuilder.New(128, &codecs.VP8Packet{}, track.Codec().ClockRate)
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			sb.Push(pkt)
			for s := sb.Pop(); s != nil; s = sb.Pop() {
				frames <- s.Data
			}
		}
	}()
	for {
		img, _, err := dec.Read()
		if err == io.EOF {
			return
		}
		if err != nil || img == nil {
			continue // not decodable yet: no keyframe so far
		}
		d.count(img, tr)
	}
}

func (d *decoded) count(img image.Image, tr *trace.Writer) {
	now := time.Now()
	if yuv, ok := img.(*image.YCbCr); ok {
		if at, ok := capture.ReadStamp(yuv, now); ok {
			d.latencies.Add(now.Sub(at))
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.frames == 0 {
		d.first = now
		tr.Mark(trace.FirstFrame)
	}
	d.frames++
	d.last = now
}

func (d *decoded) summary() trace.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := trace.Event{Name: trace.Summary, Time: time.Now().UnixNano(), Frames: d.frames}
	d.latencies.Fill(&e)
	if d.frames > 0 {
		e.First, e.Last = d.first.UnixNano(), d.last.UnixNano()
	}
	return e
}

type chanReader chan []byte

func (c chanReader) Read(p []byte) (int, error) {
	frame, ok := <-c
	if !ok {
		return 0, io.EOF
	}
	return copy(p, frame), nil
}
