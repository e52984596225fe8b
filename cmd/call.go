package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/apm"
	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/offline"
)

// CallOptions holds the flags of 'pigeon call' and 'pigeon answer', and the
// streams they run on.
type CallOptions struct {
	IO   *IOStreams
	Role call.Role

	Video, Audio string   // capture source names
	Devices      []string // device IDs, each a camera or a microphone
	RawMic       bool     // send the microphone as it records: no echo cancellation, noise suppression or gain control

	SignalIn, SignalOut string // "" for the terminal, "-" for stdin/stdout, or a path

	Format    formatFlag    // the format of this side's code
	MaxAge    time.Duration // how old the peer's offer may be; 0 for any age
	QRInvert  bool          // swap light and dark in the terminal's QR code
	QRPNG     string        // a path to write the QR code to, as a PNG picture
	ScanImage string        // a PNG or JPEG picture of the peer's QR code, read instead of a paste
	Scan      bool          // read the peer's QR code with the camera instead of a paste

	STUN               []string
	TURN               []string
	TURNUser, TURNPass string
	TURNPassFile       string // a file whose first line is the TURN password
	turnPassShown      bool   // --turn-pass was given, where ps shows it
	Interfaces         []string
	HideIPs            bool // mDNS names in place of LAN addresses
	RelayOnly          bool // only the TURN server's relay candidates

	Timeout    time.Duration
	PasteWait  time.Duration
	Duration   time.Duration
	Record     string // a directory for IVF and Ogg, or a .webm file
	View       string // auto, window, terminal or none
	Speaker    string // a playback device; "" for the default, "none" for none
	Verbose    bool
	Verify     bool   // hold media and chat until the user confirms the safety number
	Identity   string // a file that keeps this side's long-lived certificate
	Peer       string // the name of the peer, checked against the known peers
	KnownPeers string // the known-peers file; "" for the default
	Name       string // what the peer calls this side in the chat

	Send        []string // files or directories to send once the call is up
	AcceptFiles bool     // take every file the peer sends without asking
	DownloadDir string   // where received files go
	MaxFileSize sizeFlag // the most one received transfer may bring; 0 for no limit
	Trace       string   // a file for timestamped events, for the benchmarks

	// farEnd is what the speakers play, which the microphone's echo
	// canceller removes: runCall hands it to both.
	farEnd *apm.FarEnd
}

// inCallHelp is what 'pigeon call' and 'pigeon answer' say of the call.
const inCallHelp = `In the call, each line you type is sent as a chat message and each message
from the peer is printed. /quit, Ctrl-D or Ctrl-C hangs up; the peer's pigeon
ends too. /help lists the other commands.

On a terminal the line you type stays at the bottom, with the usual editing
keys and history, while messages arrive above it with their time and the
sender's --name. When stdout is not a terminal each message from the peer is
printed alone on its line, just its text (a line break in it becomes a
space), and lines are read from stdin as they come, so that a script can
drive the chat. Either way, escape sequences and control or bidirectional
characters in what the peer sends are written out as text (\x1b, \u202e),
never obeyed.

The microphone's sound is cleaned as a phone cleans it: the echo of the
peer's voice from the speakers is cancelled, noise is suppressed and the
level evened out. --raw-mic sends it as recorded (headphones, music).`

// NewCmdCall builds 'pigeon call'. runF replaces the call itself in tests.
func NewCmdCall(io *IOStreams, runF func(*CallOptions) error) *cobra.Command {
	return newCallCommand(io, call.Caller, runF, &cobra.Command{
		Use:   "call",
		Short: "Start a call: print an offer, read the peer's answer, talk",
		Long: `Start a call. pigeon opens the camera and microphone, prints the offer as a
line of text (and a QR code on a terminal), then waits for the answer that
'pigeon answer' prints on the peer's side. Paste it, and the call starts.

` + inCallHelp,
		Example: `  pigeon call
  pigeon call --video test --audio test --record received/
  pigeon call --video clip.y4m --audio speech.wav   # files in place of a camera and a microphone
  pigeon call --signal-out offer.txt --signal-in answer.txt
  pigeon call --scan                # read the answer's QR code with the camera
  pigeon call --stun stun:stun.example.org:3478
  pigeon call --format json         # for a program that reads base64 JSON, as pion's examples do`,
	})
}

// NewCmdAnswer builds 'pigeon answer'. runF replaces the call itself in tests.
func NewCmdAnswer(io *IOStreams, runF func(*CallOptions) error) *cobra.Command {
	return newCallCommand(io, call.Callee, runF, &cobra.Command{
		Use:   "answer",
		Short: "Answer a call: read the peer's offer, print an answer, talk",
		Long: `Answer a call. Paste the offer that 'pigeon call' printed on the peer's side;
pigeon prints an answer (a line of text, and a QR code on a terminal) for the
peer to paste, and the call starts as soon as the peer has it. An offer from
another WebRTC program (base64 JSON, JSON or SDP as text) gets its answer in
the same form, and a chat of plain text.

` + inCallHelp,
		Example: `  pigeon answer
  pigeon answer --video none --audio mic
  pigeon answer --signal-in offer.txt --signal-out answer.txt
  pigeon answer --scan              # read the offer's QR code with the camera`,
	})
}

func newCallCommand(io *IOStreams, role call.Role, runF func(*CallOptions) error, cmd *cobra.Command) *cobra.Command {
	opts := &CallOptions{IO: io, Role: role, MaxFileSize: defaultMaxFileSize}
	cmd.Args = noArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.turnPassShown = cmd.Flags().Changed("turn-pass")
		if err := opts.validate(); err != nil {
			return usageError{err}
		}
		if runF != nil {
			return runF(opts)
		}
		return runCall(cmd.Context(), opts)
	}

	f := cmd.Flags()
	f.StringVar(&opts.Video, "video", control.DefaultVideo, "video to send: camera, test, screen (X11), none, image:FILE (a PNG or JPEG picture, shown as a camera would, read again when it changes), or FILE: a video file played in a loop at its own frame rate (Y4M, or IVF with VP8; ./NAME for a file named like a word above); /source switches it during the call")
	f.StringVar(&opts.Audio, "audio", capture.Mic, "audio to send: mic, test, none, or FILE: a sound file played in a loop (WAV, or Ogg Opus)")
	f.StringSliceVar(&opts.Devices, "device", nil, "camera or microphone to use, by the ID 'pigeon devices' shows (repeatable)")
	f.BoolVar(&opts.RawMic, "raw-mic", false, "send the microphone as it records, without echo cancellation, noise suppression or gain control (with headphones, or for music)")
	f.StringVar(&opts.SignalIn, "signal-in", "", "read the peer's code from this file or FIFO; - for stdin (default: the terminal)")
	f.StringVar(&opts.SignalOut, "signal-out", "", "write this side's code to this file or FIFO; - for stdout (default: the terminal)")
	f.Var(&opts.Format, "format", "format of this side's code: compact, full (for any session), json (base64 JSON, as pion's examples read), sdp, raw-json (the SDP or JSON as text, as many web pages take it), or auto: compact when it can, and for an answer the form of its offer if that is json, sdp or raw-json")
	f.DurationVar(&opts.MaxAge, "max-age", offline.DefaultMaxAge, "refuse an offer made longer ago than this; 0 accepts any age")
	f.BoolVar(&opts.QRInvert, "qr-invert", false, "swap light and dark in the QR code (with NO_COLOR set: for a terminal with dark text on a light background)")
	f.StringVar(&opts.QRPNG, "qr-png", "", "also write the QR code of this side's code to this PNG file")
	f.StringVar(&opts.ScanImage, "scan-image", "", "read the peer's code from the QR code in this PNG or JPEG picture (a screenshot or a photo) instead of a paste")
	f.BoolVar(&opts.Scan, "scan", false, "read the peer's QR code with the camera instead of a paste (the --video camera, picture or file, else the camera alone)")
	f.StringSliceVar(&opts.STUN, "stun", nil, "STUN server URL, such as stun:host:3478 (repeatable; default: none, LAN only)")
	f.StringSliceVar(&opts.TURN, "turn", nil, "TURN server URL, such as turn:host:3478 (repeatable; needs --turn-user and --turn-pass)")
	f.StringVar(&opts.TURNUser, "turn-user", "", "user name for the TURN server")
	f.StringVar(&opts.TURNPass, "turn-pass", "", "password for the TURN server (other users can see it in ps: prefer --turn-pass-file or $"+turnPassEnv+")")
	f.StringVar(&opts.TURNPassFile, "turn-pass-file", "", "read the TURN server's password from the first line of this file")
	f.StringSliceVar(&opts.Interfaces, "interface", nil, "use only these network interfaces, such as eth0 or lo (repeatable)")
	f.BoolVar(&opts.HideIPs, "hide-ips", false, "put mDNS names (that only the local network resolves) in the code in place of this machine's LAN addresses")
	f.BoolVar(&opts.RelayOnly, "relay-only", false, "put only the TURN server's relay addresses in the code, none of this machine's (needs --turn)")
	f.DurationVar(&opts.Timeout, "timeout", call.DefaultTimeout, "how long to wait for the connection to come up, or to come back when it drops")
	f.DurationVar(&opts.PasteWait, "paste-wait", call.DefaultPasteWait, "how long to wait for a person to carry a code: the callee for the caller to paste its answer, either side for a restart code (/restart)")
	f.DurationVar(&opts.Duration, "duration", 0, "hang up after this long (default: when someone hangs up); the end of input then does not hang up")
	f.StringVar(&opts.Record, "record", "", "record what is received: FILE.webm for one WebM file, or DIR for DIR/video.ivf and DIR/audio.ogg")
	f.StringVar(&opts.View, "view", viewAuto, "where to show the peer's video: window, terminal, none, or auto (a window on a desktop, else the terminal)")
	f.StringVar(&opts.Speaker, "speaker", "", "play the peer's sound on this device (part of its name); none for silence (default: the system's)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "say more about what the connection does")
	f.StringVar(&opts.Identity, "identity", "", "keep this side's certificate in FILE (made on first use, readable only by you), so that peers can recognise you from call to call")
	f.StringVar(&opts.Peer, "peer", "", "check the peer's certificate against the one on record for NAME (recorded on the first call); a change ends the call (exit code 9)")
	f.StringVar(&opts.KnownPeers, "known-peers", "", "the file of known peers' certificates for --peer (default: known_peers in pigeon's configuration directory)")
	f.BoolVar(&opts.Verify, "verify", false, "send and show nothing until you confirm the safety number with your peer (type yes, no, or their digits); a mismatch ends the call (exit code 8)")
	f.StringVar(&opts.Name, "name", "", "your name in the peer's chat (default: your user name)")
	f.StringSliceVar(&opts.Send, "send", nil, "send this file or directory once the call is up (repeatable; also /send PATH in the chat)")
	f.BoolVar(&opts.AcceptFiles, "accept-files", false, "save every file the peer sends without asking")
	f.StringVar(&opts.DownloadDir, "download-dir", ".", "where to save the files the peer sends")
	f.Var(&opts.MaxFileSize, "max-file-size", "refuse a file or directory from the peer larger than this (such as 500M or 20G; 0 for no limit), or than the download directory's free space")
	f.StringVar(&opts.Trace, "trace", "", "write timestamped call events to this file as JSON lines (for benchmarks)")
	f.MarkHidden("trace")
	if role == call.Caller {
		f.MarkHidden("max-age")
	}
	return cmd
}

// validate checks the flags that cobra cannot check alone.
func (o *CallOptions) validate() error {
	if path, file := capture.VideoFile(o.Video); file && !exists(path) {
		return fmt.Errorf("--video %q: no file has that name; use camera, test, screen, none, image:FILE or a video file's path", o.Video)
	}
	if o.Scan && (o.ScanImage != "" || o.SignalIn != "") {
		return fmt.Errorf("--scan reads the peer's code with the camera: leave out --scan-image and --signal-in")
	}
	if path, file := capture.AudioFile(o.Audio); file && !exists(path) {
		return fmt.Errorf("--audio %q: no file has that name; use mic, test, none or a sound file's path", o.Audio)
	}
	if err := validView(o.View); err != nil {
		return err
	}
	if o.RelayOnly && len(o.TURN) == 0 {
		return fmt.Errorf("--relay-only needs a TURN server: add --turn, --turn-user and --turn-pass")
	}
	if err := o.validName(); err != nil {
		return err
	}
	if err := o.turnPassword(); err != nil {
		return err
	}
	if len(o.TURN) > 0 && (o.TURNUser == "" || o.TURNPass == "") {
		return fmt.Errorf("--turn needs --turn-user and a password: --turn-pass-file, $%s or --turn-pass", turnPassEnv)
	}
	for _, u := range o.STUN {
		if err := checkICEURL(u, "stun"); err != nil {
			return err
		}
	}
	for _, u := range o.TURN {
		if err := checkICEURL(u, "turn"); err != nil {
			return err
		}
	}
	if o.Timeout <= 0 || o.PasteWait <= 0 || o.Duration < 0 {
		return fmt.Errorf("--timeout and --paste-wait must be positive, and --duration not negative")
	}
	return nil
}

// exists says whether there is a file at path. One there but unreadable,
// or not a media file, is refused when it is opened, with the reason.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// turnPassEnv is the environment variable that holds the TURN password,
// out of sight of ps, when no flag gives it.
const turnPassEnv = "PIGEON_TURN_PASS"

// turnPassword takes the TURN password from --turn-pass-file or from
// $PIGEON_TURN_PASS when --turn-pass does not give it.
func (o *CallOptions) turnPassword() error {
	switch {
	case o.TURNPass != "" && o.TURNPassFile != "":
		return fmt.Errorf("--turn-pass and --turn-pass-file both give the TURN password: keep one")
	case o.TURNPassFile != "":
		data, err := os.ReadFile(o.TURNPassFile)
		if err != nil {
			return fmt.Errorf("--turn-pass-file: %w", err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		if o.TURNPass = strings.TrimRight(line, "\r"); o.TURNPass == "" {
			return fmt.Errorf("--turn-pass-file %s: its first line is empty: write the password there", o.TURNPassFile)
		}
	case o.TURNPass == "":
		o.TURNPass = os.Getenv(turnPassEnv)
	}
	return nil
}

func checkICEURL(raw, scheme string) error {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Scheme, scheme) || u.Opaque == "" {
		return fmt.Errorf("--%s %q: want a URL such as %s:host:3478", scheme, raw, scheme)
	}
	return nil
}

// iceServers turns the STUN and TURN flags into pion's configuration.
func (o *CallOptions) iceServers() []webrtc.ICEServer {
	var servers []webrtc.ICEServer
	if len(o.STUN) > 0 {
		servers = append(servers, webrtc.ICEServer{URLs: o.STUN})
	}
	if len(o.TURN) > 0 {
		servers = append(servers, webrtc.ICEServer{URLs: o.TURN, Username: o.TURNUser, Credential: o.TURNPass})
	}
	return servers
}

// captureOptions turns the media flags into capture's options, sorting each
// --device into a camera or a microphone.
func (o *CallOptions) captureOptions(devices []capture.Device) (capture.Options, error) {
	opts := capture.Options{Video: o.Video, Audio: o.Audio, RawMicrophone: o.RawMic, FarEnd: o.farEnd}
	for _, id := range o.Devices {
		i := slices.IndexFunc(devices, func(d capture.Device) bool { return d.ID == id || strings.EqualFold(d.Name, id) })
		switch {
		case i < 0:
			return opts, fmt.Errorf("%w: no camera or microphone has the ID %q (pigeon devices lists them)", capture.ErrDeviceFailed, id)
		case devices[i].Kind == capture.Camera:
			opts.Camera = devices[i].ID
		default:
			opts.Microphone = devices[i].ID
		}
	}
	return opts, nil
}
