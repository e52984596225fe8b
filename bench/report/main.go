// Command report runs pigeon's call benchmarks side by side with the
// baseline, prints the table and writes it to docs/BENCHMARKS.md.
//
//	go run ./bench/report [-runs 5] [-load-runs 3] [-transfer-runs 3] [-window 30s] [-out docs/BENCHMARKS.md]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/pigeon-call/pigeon/bench"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
)

func main() {
	runs := flag.Int("runs", 5, "short calls per implementation, for the timings")
	loadRuns := flag.Int("load-runs", 3, "long calls per implementation, for CPU, memory and frame rates")
	window := flag.Duration("window", 30*time.Second, "how long each long call is measured")
	out := flag.String("out", "docs/BENCHMARKS.md", "where to write the table; empty for nowhere")
	transferRuns := flag.Int("transfer-runs", 3, "files sent between two pigeon processes")
	flag.Parse()

	if err := run(*runs, *loadRuns, *transferRuns, *window, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(runs, loadRuns, transferRuns int, window time.Duration, out string) error {
	dir, err := os.MkdirTemp("", "pigeon-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	impls, err := build(dir)
	if err != nil {
		return err
	}
	// The same pigeon again, in a window on a virtual display: what
	// rendering costs.
	loaded := impls
	if x, err := mediatest.NewXvfb(1280, 800); err != nil {
		fmt.Fprintf(os.Stderr, "bench: no figures with a window: %v\n", err)
	} else {
		defer x.Stop()
		loaded = append(slices.Clone(impls), bench.Windowed(impls[1].Bin, x.Display))
	}

	// The same calls with a natural clip and speech, which keep VP8 as
	// busy as a camera does: the test picture costs it a tenth.
	clipImpls, err := naturalMedia(dir, impls)
	if err != nil {
		return err
	}

	latency := map[string][]bench.Call{}
	load := map[string][]bench.Call{}
	clip := map[string][]bench.Call{}
	ctx := context.Background()
	// Alternate the implementations so that a change in the machine's load
	// falls on all columns alike.
	for i := range max(runs, loadRuns) {
		for _, impl := range loaded {
			if i < runs && slices.ContainsFunc(impls, func(o bench.Impl) bool { return o.Name == impl.Name }) {
				fmt.Fprintf(os.Stderr, "bench: %s short call %d/%d\n", impl.Name, i+1, runs)
				c, err := runCall(ctx, impl, dir, 3*time.Second, time.Second)
				if err != nil {
					return err
				}
				latency[impl.Name] = append(latency[impl.Name], c)
			}
			if i < loadRuns {
				fmt.Fprintf(os.Stderr, "bench: %s %s call %d/%d\n", impl.Name, window, i+1, loadRuns)
				c, err := runCall(ctx, impl, dir, 3*time.Second, window)
				if err != nil {
					return err
				}
				load[impl.Name] = append(load[impl.Name], c)
			}
		}
		for _, impl := range clipImpls {
			if i < loadRuns {
				fmt.Fprintf(os.Stderr, "bench: %s %s call with the clip %d/%d\n", impl.Name, window, i+1, loadRuns)
				c, err := runCall(ctx, impl, dir, 3*time.Second, window)
				if err != nil {
					return err
				}
				clip[impl.Name] = append(clip[impl.Name], c)
			}
		}
	}

	var table bytes.Buffer
	bench.WriteTable(&table, bench.Rows(latency, load))
	table.WriteString("\nThe same long calls of pigeon without a view, and of pigeon as a person on a desktop runs it: the\n" +
		"call in an SDL window (on an Xvfb display, drawn by the CPU), the self-view in its corner. Both\n" +
		"processes and their renderers share the machine; the goals are issue 5's:\n\n")
	bench.WriteRenderTable(&table, bench.RenderRows(load))

	codes, err := bench.CodeSizes()
	if err != nil {
		return err
	}
	table.WriteString("\nSize of a pigeon offer (audio, video and chat) by format and host candidates, on documentation\naddresses; QR versions at level M as pigeon draws them:\n\n")
	bench.WriteCodeSizes(&table, codes)

	transfers, err := runTransfers(ctx, impls[1].Bin, dir, transferRuns)
	if err != nil {
		return err
	}
	fmt.Fprintf(&table, "\nA %d MiB file between two pigeon processes on loopback, as people send one (`pigeon call --send FILE`, "+
		"`pigeon answer --accept-files`, no media), %d runs; the rate counts from the call being up to the file saved, "+
		"and the memory is each process's whole peak (issue 8):\n\n", transferMiB, len(transfers))
	var transferTable bytes.Buffer // written once the example's figure is known
	at := table.Len()

	exampleCPU := 0.0
	for _, g := range goBenches {
		fmt.Fprintf(os.Stderr, "bench: go test -bench %s %s\n", g.Pattern, g.Pkg)
		results, err := g.Run(".")
		if err != nil {
			return err
		}
		for _, r := range results {
			for _, f := range r.Figures {
				if r.Name == "Transfer" && f.Unit == "example-CPU-ms/MiB" {
					exampleCPU = f.Value
				}
			}
		}
		fmt.Fprintf(&table, "\n%s\n\n", g.Title)
		bench.WriteBenchTable(&table, results)
	}
	bench.WriteTransferTable(&transferTable, transfers, exampleCPU)
	whole := table.String()
	table.Reset()
	table.WriteString(whole[:at] + transferTable.String() + whole[at:])

	fmt.Fprintf(os.Stderr, "bench: go test -bench %s %s\n", bench.AudioProcessing.Pattern, bench.AudioProcessing.Pkg)
	audio, err := bench.AudioProcessing.Run(".")
	if err != nil {
		return err
	}
	table.WriteString("\nThe microphone's processing (issue 17: echo cancellation and gain control, WebRTC's module; " +
		"noise suppression, SpeexDSP's), in one process: espeak-ng's speech played by the speakers into a simulated room " +
		"(an impulse response: a delay, then reverberation decaying exponentially; the laptop's 30 ms and " +
		"250 ms to decay by 60 dB, 6 dB down; the hall's 80 ms and 600 ms, 3 dB down), heard by the microphone " +
		"with a person in the room who starts 10 s in, over the far end's last 6 s, then alone. The echo is " +
		"judged from 3 s on, where the far end speaks alone; while both speak, what is left once the person's " +
		"voice is fitted out of each 20 ms of the output. CPU is the time in the processing over the sound's " +
		"length:\n\n")
	bench.WriteAudioTable(&table, audio)

	var groups []bench.GroupCall
	for _, n := range []int{2, 3, 4, 6} {
		fmt.Fprintf(os.Stderr, "bench: a group call of %d\n", n)
		g, err := bench.RunGroupCall(ctx, impls[1].Bin, dir, n, 3*time.Second, window/3)
		if err != nil {
			return err
		}
		groups = append(groups, g)
	}
	fmt.Fprintf(&table, "\nGroup calls (issue 22): n pigeon processes on loopback, each invited with /invite, the test sources, "+
		"no view; each person's CPU, peak memory and upload to all its peers over %s (median [range] over the people):\n\n", window/3)
	bench.WriteGroupTable(&table, groups)

	var goals bytes.Buffer
	goals.WriteString("The goals of connecting at the network's speed and of calls that cost no more than the baseline's " +
		"(issue 20), from the runs below: the short calls' medians; CPU and peak RSS per side of the long calls, " +
		"with the test sources and with a natural clip (a noisy Mandelbrot zoom, 640x480 at 30 fps, that VP8 spends " +
		"its whole 1 Mbit/s on, and espeak-ng's speech, both sent by pigeon and by the baseline); the files sent:\n\n")
	bench.WriteSpeedGoals(&goals, bench.SpeedGoals(latency, load, clip, transfers))
	goals.WriteString("\n")
	all := goals.String() + table.String()

	fmt.Print(all)
	if out == "" {
		return nil
	}
	cpuinfo, _ := os.ReadFile("/proc/cpuinfo")
	doc := fmt.Sprintf(`# Benchmarks

Written by `+"`make bench`"+` on %s: %s.

Two processes call each other on loopback through FIFOs with the test sources (640x480 at 30 fps, VP8 at
1 Mbit/s, Opus). The baseline is a call built the way pion's examples build one: all default codecs,
the default SettingEngine and interceptors, a "chat" data channel announced by the caller, codes as
base64 of the JSON session description (bench/baseline). Timings are the median of %d short calls,
CPU, memory and frame rates of %d calls measured for %s each, with the range in brackets; all columns
come from the same run, alternating calls, so their ratios hold on a noisy machine. "n/a" means no
figure: a code that no QR code can hold, or an event that never happened in the call. The capture
time of each test picture is stamped in the picture itself and read back from the decoded picture.

%s`, time.Now().UTC().Format("2006-01-02 15:04 MST"), bench.Machine(string(cpuinfo), runtime.NumCPU(), runtime.Version()),
		runs, loadRuns, window, all)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(doc), 0o644)
}

// naturalMedia writes the natural clip and the speech into dir, and
// returns impls sending them (bench.WithFiles). The clip is 4 s of raw
// 4:2:0 (55 MB), played in a loop: the file source reads it without
// decoding, as a camera's pictures come.
func naturalMedia(dir string, impls []bench.Impl) ([]bench.Impl, error) {
	video, audio := filepath.Join(dir, "clip.y4m"), filepath.Join(dir, "speech.wav")
	if err := mediatest.WriteNaturalVideo(video, capture.DefaultWidth, capture.DefaultHeight, capture.DefaultFrameRate, 4*time.Second); err != nil {
		return nil, fmt.Errorf("making the natural clip: %w", err)
	}
	if err := mediatest.WriteSpeech(audio); err != nil {
		return nil, fmt.Errorf("making the speech: %w", err)
	}
	return bench.WithFiles(impls, video, audio), nil
}

// transferMiB is the size of the file runTransfers sends, as issue 8 asks.
const transferMiB = 256

// runTransfers sends a file of transferMiB between two pigeon processes
// runs times. The file and its copies live in memory where there is a
// /dev/shm, so that the disk is not measured.
func runTransfers(ctx context.Context, pigeonBin, dir string, runs int) ([]bench.Transfer, error) {
	base := dir
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		shm, err := os.MkdirTemp("/dev/shm", "pigeon-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(shm)
		base = shm
	}
	file := filepath.Join(base, "file.bin")
	if err := writeRandomFile(file, transferMiB<<20); err != nil {
		return nil, err
	}
	var ts []bench.Transfer
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: pigeon file transfer %d/%d\n", i+1, runs)
		runDir := filepath.Join(base, fmt.Sprint("transfer-", i))
		if err := os.Mkdir(runDir, 0o700); err != nil {
			return nil, err
		}
		t, err := bench.RunTransfer(ctx, pigeonBin, runDir, file)
		os.RemoveAll(runDir)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// writeRandomFile writes size random bytes to path: what a transfer of a
// compressed file or a photo moves.
func writeRandomFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// goBenches are the benchmarks of single packages whose figures the report
// carries after the calls'.
var goBenches = []bench.GoBench{
	{
		Title: "A 256 MiB file on loopback between two peers in one process (issue 8): pion's " +
			"data-channels-flow-control example as it is (lossy), the same on a reliable channel, and " +
			"pigeon's transfer with pion's defaults (untuned) and with its own settings and collector pace, " +
			"in turns:",
		Pkg: "./transfer/", Pattern: "^BenchmarkTransfer$", Args: []string{"-benchtime", "3x", "-args", "-transfer-mib", "256"},
	},
	{
		Title: "Camera frames needed to read a compact offer's QR code, by distortion (issue 10):",
		Pkg:   "./scan/", Pattern: "^BenchmarkDistortions$", Args: []string{"-benchtime", "5x"},
	},
	{
		Title: "Chat round trip on loopback, 200 messages (issue 8):",
		Pkg:   "./call/", Pattern: "^BenchmarkChatRoundTrip$", Args: []string{"-benchtime", "200x"},
	},
	{
		Title: "Two peers in one process on a simulated network (pion's vnet, 50 ms round trip) (issues 6 and 20): " +
			"the answer applied to the chat open, in time and in round trips (ICE, DTLS and SCTP need five), recovery after a 10-second cut, decoded fps and chat delivered in order under 5% and 10% loss " +
			"(100 ms round trip), time to report a peer that died:",
		Pkg:     "./call/",
		Pattern: "^(BenchmarkConnect|BenchmarkRecovery|BenchmarkLossyPath|BenchmarkDeadPeer)$",
		Args:    []string{"-benchtime", "1x"},
	},
}

func runCall(ctx context.Context, impl bench.Impl, dir string, warmUp, window time.Duration) (bench.Call, error) {
	callDir, err := os.MkdirTemp(dir, impl.Name)
	if err != nil {
		return bench.Call{}, err
	}
	return bench.RunCall(ctx, impl, callDir, warmUp, window)
}

// build compiles pigeon and the baseline into dir.
func build(dir string) ([]bench.Impl, error) {
	pigeon, baseline := filepath.Join(dir, "pigeon"), filepath.Join(dir, "baseline")
	for _, b := range []struct{ out, pkg string }{{pigeon, "."}, {baseline, "./bench/baseline"}} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}
	return bench.Impls(pigeon, baseline), nil
}
