package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
)

func testIO(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut}, &out, &errOut
}

func TestCallFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(*CallOptions) bool
		wantErr bool
	}{
		{"defaults", nil, func(o *CallOptions) bool {
			return o.Video == "camera" && o.Audio == "mic" && o.Timeout == call.DefaultTimeout && o.SignalIn == "" && o.Role == call.Caller
		}, false},
		{"test sources and files", []string{"--video", "test", "--audio", "none", "--signal-in", "a", "--signal-out", "-"}, func(o *CallOptions) bool {
			return o.Video == "test" && o.Audio == "none" && o.SignalIn == "a" && o.SignalOut == "-"
		}, false},
		{"ice servers", []string{"--stun", "stun:s:3478", "--turn", "turn:t:3478", "--turn-user", "u", "--turn-pass", "p"}, func(o *CallOptions) bool {
			s := o.iceServers()
			return len(s) == 2 && s[0].URLs[0] == "stun:s:3478" && s[1].Username == "u" && s[1].Credential == "p"
		}, false},
		{"repeatable devices", []string{"--device", "a", "--device", "b"}, func(o *CallOptions) bool {
			return len(o.Devices) == 2
		}, false},
		{"the screen", []string{"--video", "screen"}, func(o *CallOptions) bool { return o.Video == "screen" }, false},
		{"unknown video", []string{"--video", "webcam"}, nil, true},
		{"unknown audio", []string{"--audio", "speaker"}, nil, true},
		{"media files", []string{"--video", "cmd_test.go", "--audio", "./exit.go"}, func(o *CallOptions) bool {
			// Whether they play is found when they are opened.
			return o.Video == "cmd_test.go" && o.Audio == "./exit.go"
		}, false},
		{"a missing video file", []string{"--video", "clip.y4m"}, nil, true},
		{"a missing sound file", []string{"--audio", "/no/such/speech.wav"}, nil, true},
		{"turn without credentials", []string{"--turn", "turn:t:3478"}, nil, true},
		{"stun not a stun url", []string{"--stun", "http://s"}, nil, true},
		{"negative duration", []string{"--duration", "-1s"}, nil, true},
		{"positional argument", []string{"bob"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _ := testIO("")
			var got *CallOptions
			c := NewCmdCall(io, func(o *CallOptions) error { got = o; return nil })
			c.SetArgs(tt.args)
			c.SetOut(io.Out)
			c.SetErr(io.ErrOut)
			err := c.Execute()
			if tt.wantErr {
				var usage usageError
				if !errors.As(err, &usage) {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Fatalf("options not as expected: %+v", got)
			}
		})
	}
}

func TestAnswerRole(t *testing.T) {
	io, _, _ := testIO("")
	var got *CallOptions
	c := NewCmdAnswer(io, func(o *CallOptions) error { got = o; return nil })
	c.SetArgs([]string{"--paste-wait", "2m"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Role != call.Callee || got.PasteWait != 2*time.Minute {
		t.Fatalf("got role %v and paste wait %v", got.Role, got.PasteWait)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		err     error
		code    int
		sayAlso string
	}{
		{nil, ExitOK, ""},
		{usageError{errors.New("bad flag")}, ExitBadInput, "--help"},
		{fmt.Errorf("reading the answer: %w", offline.ErrTruncated), ExitBadInput, "copy the whole code again, or save it in a file and pass --signal-in FILE"},
		{offline.ErrEmpty, ExitBadInput, "paste the code your peer sent, or pass it in a file with --signal-in FILE"},
		{&offline.ExpiredError{Kind: offline.Offer, Age: time.Hour, MaxAge: time.Minute}, ExitBadInput, "set it right, or pass --max-age 0"},
		{fmt.Errorf("%w clip.wav: %w", capture.ErrMediaFile, capture.ErrSoundNotVideo), ExitNoMedia, "it holds sound, not video: give it to --audio: pigeon plays"},
		{&offline.WrongKindError{Want: offline.Offer, Got: offline.Answer}, ExitBadInput, "answer"},
		{offline.ErrCorrupt, ExitBadInput, ""},
		{capture.ErrNoCamera, ExitNoMedia, "--video test"},
		{capture.ErrNoMicrophone, ExitNoMedia, "--audio test"},
		{fmt.Errorf("%w: DISPLAY is not set", capture.ErrNoScreen), ExitNoMedia, "X11 desktop"},
		{capture.ErrDeviceFailed, ExitNoMedia, ""},
		{fmt.Errorf("%w clip.mp4: it is not a video file pigeon plays", capture.ErrMediaFile), ExitNoMedia, "ffmpeg -i IN"},
		{call.ErrConnectFailed, ExitNoConnect, "--stun"},
		{call.ErrConnectionLost, ExitConnection, ""},
		{call.ErrPeerClosed, ExitConnection, ""},
		{call.ErrCertificateMismatch, ExitTampered, "altered"},
		{&offline.AnswerMismatchError{Offer: []byte{1, 2, 3, 4}, AnswersTo: []byte{5, 6, 7, 8}}, ExitAnswer, "another offer"},
		{call.ErrAnswerUsed, ExitAnswer, "a second answer is refused (to call someone else, start another pigeon call)"},
		{offline.ErrOutdated, ExitBadInput, "update pigeon (or to send its code with --format full)"},
		{call.ErrCommitmentMismatch, ExitCommitment, "tried to choose"},
		{fmt.Errorf("%w: %w", call.ErrNotVerified, call.ErrNoSafetyNumber), ExitNotVerified, "exchanged no safety number"},
		{fmt.Errorf("reading the answer: %w", fs.ErrNotExist), ExitBadInput, "check the path"},
		{errors.New("disk on fire"), ExitError, "disk on fire"},
	}
	for _, tt := range tests {
		code, msg := exitCode(tt.err)
		if code != tt.code {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, code, tt.code)
		}
		if !strings.Contains(msg, tt.sayAlso) || strings.Contains(msg, "\n") {
			t.Errorf("exitCode(%v) says %q: want one line mentioning %q", tt.err, msg, tt.sayAlso)
		}
	}
}

func TestRunReportsOneLine(t *testing.T) {
	io, _, errOut := testIO("")
	if code := Run([]string{"call", "--video", "webcam"}, io); code != ExitBadInput {
		t.Fatalf("exit code %d, want %d", code, ExitBadInput)
	}
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "pigeon: ") {
		t.Fatalf("stderr %q, want one pigeon: line", errOut)
	}
}

func TestCaptureOptionsSortsDevices(t *testing.T) {
	devices := []capture.Device{
		{Kind: capture.Camera, ID: "/dev/video0", Name: "Front", Ready: true},
		{Kind: capture.Mic, ID: "hw:1", Name: "USB Mic", Ready: true},
	}
	o := &CallOptions{Video: "camera", Audio: "mic", Devices: []string{"usb mic", "/dev/video0"}}
	got, err := o.captureOptions(devices)
	if err != nil {
		t.Fatal(err)
	}
	if got.Camera != "/dev/video0" || got.Microphone != "hw:1" {
		t.Fatalf("got camera %q and microphone %q", got.Camera, got.Microphone)
	}
	o.Devices = []string{"nope"}
	if _, err := o.captureOptions(devices); !errors.Is(err, capture.ErrDeviceFailed) {
		t.Fatalf("unknown device: %v", err)
	}
}

func TestListDevices(t *testing.T) {
	io, out, _ := testIO("")
	listDevices(io, []capture.Device{{Kind: capture.Mic, ID: "6e756c6c", Name: "null", Why: "reports no channel"}})
	if !strings.Contains(out.String(), "unusable: reports no channel") {
		t.Fatalf("listing %q does not say why the device is unusable", out)
	}
}

// TestTURNPassword takes the TURN password from each place it may come
// from, the command line last in favour: out of sight of ps.
func TestTURNPassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "turn-pass")
	os.WriteFile(file, []byte("from the file\r\nsecond line\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	turn := []string{"--turn", "turn:t:3478", "--turn-user", "u"}
	for _, tt := range []struct {
		name    string
		env     string
		args    []string
		want    string
		wantErr string
	}{
		{"a file", "", []string{"--turn-pass-file", file}, "from the file", ""},
		{"the environment", "from the environment", nil, "from the environment", ""},
		{"a file before the environment", "from the environment", []string{"--turn-pass-file", file}, "from the file", ""},
		{"the command line", "from the environment", []string{"--turn-pass", "typed"}, "typed", ""},
		{"two flags", "", []string{"--turn-pass", "typed", "--turn-pass-file", file}, "", "keep one"},
		{"an empty file", "", []string{"--turn-pass-file", empty}, "", "first line is empty"},
		{"no file", "", []string{"--turn-pass-file", filepath.Join(dir, "none")}, "", "no such file"},
		{"none at all", "", nil, "", "--turn-pass-file, $PIGEON_TURN_PASS or --turn-pass"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(turnPassEnv, tt.env)
			io, _, _ := testIO("")
			var got *CallOptions
			c := NewCmdCall(io, func(o *CallOptions) error { got = o; return nil })
			c.SetArgs(append(append([]string{}, turn...), tt.args...))
			c.SilenceErrors, c.SilenceUsage = true, true
			err := c.Execute()
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tt.wantErr)
				}
			case err != nil:
				t.Error(err)
			case got.iceServers()[0].Credential != tt.want:
				t.Errorf("the TURN password is %q, want %q", got.iceServers()[0].Credential, tt.want)
			}
		})
	}
}
