package capture

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/apm"

	// Register the system's cameras with mediadevices (microphones: see
	// microphone.go).
	_ "github.com/pion/mediadevices/pkg/driver/camera"
)

// Device is a camera or microphone found on this machine.
type Device struct {
	Kind  string // Camera or Mic
	ID    string // what Options.Camera or Options.Microphone take
	Name  string // a name for people
	Ready bool   // false when pigeon cannot use the device
	Why   string // why it cannot, when Ready is false
}

// Devices lists the cameras and microphones on this machine, usable or not.
func Devices() []Device {
	var list []Device
	for _, d := range cameras() {
		list = append(list, describe(Camera, d, nil))
	}
	for _, d := range microphones() {
		props, err := formats(d)
		if err == nil {
			_, err = microphoneProp(props)
		}
		list = append(list, describe(Mic, d, err))
	}
	return list
}

// formats are the formats a driver records in. mediadevices' manager
// answers no Properties for a driver that is not open, so a closed one is
// opened for the question and closed again; one in use is only asked.
func formats(d driver.Driver) ([]prop.Media, error) {
	if d.Status() != driver.StateClosed {
		return d.Properties(), nil
	}
	if err := d.Open(); err != nil {
		return nil, fmt.Errorf("cannot be opened: %v", err)
	}
	defer d.Close()
	return d.Properties(), nil
}

func describe(kind string, d driver.Driver, err error) Device {
	info := d.Info()
	dev := Device{Kind: kind, ID: info.Label, Name: cmp.Or(info.Name, info.Label), Ready: err == nil}
	if err != nil {
		dev.Why = err.Error()
	}
	return dev
}

func cameras() []driver.Driver {
	return query(driver.FilterAnd(driver.FilterVideoRecorder(), driver.FilterDeviceType(driver.Camera)))
}

func microphones() []driver.Driver {
	registerMicrophones()
	return query(driver.FilterAnd(driver.FilterAudioRecorder(), driver.FilterDeviceType(driver.Microphone)))
}

// query returns the drivers that pass filter, the system's default first.
func query(filter driver.FilterFn) []driver.Driver {
	drivers := driver.GetManager().Query(filter)
	slices.SortStableFunc(drivers, func(a, b driver.Driver) int {
		return cmp.Compare(b.Info().Priority, a.Info().Priority)
	})
	return drivers
}

// pick returns the driver named id (by label or name), or the first one when id
// is empty.
func pick(drivers []driver.Driver, id string) driver.Driver {
	for _, d := range drivers {
		info := d.Info()
		if id == "" || id == info.Label || strings.EqualFold(id, info.Name) {
			return d
		}
	}
	return nil
}

func openCamera(opts Options) (mediadevices.VideoSource, string, error) {
	d := pick(cameras(), opts.Camera)
	if d == nil {
		return nil, "", missing(ErrNoCamera, opts.Camera)
	}
	if err := d.Open(); err != nil {
		return nil, "", fmt.Errorf("%w: opening camera %s: %v", ErrDeviceFailed, d.Info().Label, err)
	}
	want := prop.MediaConstraints{VideoConstraints: prop.VideoConstraints{
		Width:     prop.Int(opts.Width),
		Height:    prop.Int(opts.Height),
		FrameRate: prop.Float(opts.FrameRate),
	}}
	p, ok := bestProp(want, d.Properties())
	if !ok {
		d.Close()
		return nil, "", fmt.Errorf("%w: camera %s offers no picture format pigeon can read", ErrNoCamera, d.Info().Label)
	}
	r, err := d.(driver.VideoRecorder).VideoRecord(p)
	if err != nil {
		d.Close()
		return nil, "", fmt.Errorf("%w: starting camera %s: %v", ErrDeviceFailed, d.Info().Label, err)
	}
	src := &videoSource{Reader: guardVideo(r, d.Info().Label), Driver: d}
	label := fmt.Sprintf("camera %s %dx%d", describe(Camera, d, nil).Name, p.Width, p.Height)
	return src, label, nil
}

// openMicrophone opens the microphone opts names, and its processing unless
// opts.RawMicrophone.
func openMicrophone(opts Options, selector *mediadevices.CodecSelector) (mediadevices.Track, string, *apm.Processor, error) {
	d := pick(microphones(), opts.Microphone)
	if d == nil {
		return nil, "", nil, missing(ErrNoMicrophone, opts.Microphone)
	}
	// Opened first: mediadevices' manager tells a driver's formats only
	// once it is open.
	if err := d.Open(); err != nil {
		return nil, "", nil, fmt.Errorf("%w: opening microphone %s: %v", ErrDeviceFailed, d.Info().Label, err)
	}
	p, err := microphoneProp(d.Properties())
	if err != nil {
		d.Close()
		// The only microphone the system offers cannot record: this is
		// where ALSA's "null" device on a machine without a sound card ends.
		return nil, "", nil, fmt.Errorf("%w: %s %v", ErrNoMicrophone, d.Info().Label, err)
	}
	var proc *apm.Processor
	if !opts.RawMicrophone {
		// What the processing takes; miniaudio converts to it.
		p.ChannelCount, p.SampleRate, p.SampleSize, p.IsFloat = 1, apm.Rate, 2, false
		if proc, err = apm.New(opts.FarEnd, apm.Defaults); err != nil {
			d.Close()
			return nil, "", nil, fmt.Errorf("%w: preparing the microphone's processing: %v", ErrDeviceFailed, err)
		}
	}
	r, err := d.(driver.AudioRecorder).AudioRecord(p)
	if err != nil {
		d.Close()
		if proc != nil {
			proc.Close()
		}
		return nil, "", nil, fmt.Errorf("%w: starting microphone %s: %v", ErrDeviceFailed, d.Info().Label, err)
	}
	label := fmt.Sprintf("microphone %s", describe(Mic, d, nil).Name)
	if proc != nil {
		r = cleaned(r, proc, d.Info().Label)
		label += " (echo cancellation on)"
	}
	src := &audioSource{Reader: guardAudio(r, d.Info().Label), Driver: d, proc: proc}
	return mediadevices.NewAudioTrack(src, selector), label, proc, nil
}

func missing(err error, id string) error {
	if id != "" {
		return fmt.Errorf("%w named %q (pigeon devices lists them)", err, id)
	}
	return err
}

// microphoneProp chooses how to record from a microphone: 48 kHz, one channel
// if it can. Formats without channels are left out: recording them panics.
func microphoneProp(props []prop.Media) (prop.Media, error) {
	props = slices.DeleteFunc(slices.Clone(props), func(p prop.Media) bool {
		return p.ChannelCount < 1 || p.SampleRate < 1
	})
	want := prop.MediaConstraints{AudioConstraints: prop.AudioConstraints{
		SampleRate:   prop.Int(48000),
		ChannelCount: prop.Int(1),
	}}
	p, ok := bestProp(want, props)
	if !ok {
		return prop.Media{}, fmt.Errorf("reports no channel it can record")
	}
	return p, nil
}

// bestProp returns the property set closest to want, merged with want the way
// mediadevices merges constraints into the chosen settings.
func bestProp(want prop.MediaConstraints, props []prop.Media) (prop.Media, bool) {
	best, bestDist := -1, math.Inf(1)
	for i, p := range props {
		if dist, ok := want.FitnessDistance(p); ok && dist < bestDist {
			best, bestDist = i, dist
		}
	}
	if best < 0 {
		return prop.Media{}, false
	}
	var chosen prop.Media
	chosen.MergeConstraints(want)
	chosen.Merge(props[best])
	return chosen, true
}

// videoSource and audioSource give a driver's reader the ID and Close that
// mediadevices wants of a source; closing the track closes the device.
type videoSource struct {
	video.Reader
	driver.Driver
}

type audioSource struct {
	audio.Reader
	driver.Driver
	proc *apm.Processor // the microphone's processing; nil for none
}

// Close closes the device, then its processing.
func (s *audioSource) Close() error {
	err := s.Driver.Close()
	if s.proc != nil {
		s.proc.Close()
	}
	return err
}

// guardVideo and guardAudio turn a panic inside a driver's read into an error
// that ends the track; without them a driver bug kills the whole process from
// mediadevices' encoding goroutine.
func guardVideo(r video.Reader, label string) video.Reader {
	return video.ReaderFunc(func() (img image.Image, release func(), err error) {
		defer recoverRead(label, &release, &err)
		return r.Read()
	})
}

func guardAudio(r audio.Reader, label string) audio.Reader {
	return audio.ReaderFunc(func() (chunk wave.Audio, release func(), err error) {
		defer recoverRead(label, &release, &err)
		return r.Read()
	})
}

func recoverRead(label string, release *func(), err *error) {
	if p := recover(); p != nil {
		*release = func() {}
		*err = fmt.Errorf("%w: reading %s: %v", ErrDeviceFailed, label, p)
	}
}
