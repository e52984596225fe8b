// The C face of shim.h over webrtc::AudioProcessing, set up much as
// PulseAudio's module-echo-cancel sets it up, with the extended filter on:
// it follows an echo up to 128 ms past the delay it is told, where the
// room's reverberation and a sound server's late figures put it. The
// delay-agnostic mode stays off: in this version it sets the delay it is
// told aside for its own estimate, which loses a speaker that keeps 200 ms
// of sound in its buffers (15.8 dB of echo taken off in the simulated room,
// against 60.8 dB with the delay told).
//
// Noise is suppressed after the module (the echo canceller needs the room's
// sound as it came), by SpeexDSP's preprocessor in frames of a few
// milliseconds, not by the module's suppressor: that one delays the sound
// 6 ms (its 256-sample window over 160-sample frames at 16 kHz), Speex's by
// one of its frames.
#include "shim.h"

#include <string.h>

#include <speex/speex_preprocess.h>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

struct pigeon_apm {
	webrtc::AudioProcessing *apm;
	webrtc::AudioFrame near;
	webrtc::AudioFrame far;
	SpeexPreprocessState *noise; /* NULL when noise is not suppressed */
	size_t noise_frame;
	int rate;
	size_t samples;
};

static void frame_init(webrtc::AudioFrame *f, int rate, size_t samples) {
	f->sample_rate_hz_ = rate;
	f->samples_per_channel_ = samples;
	f->num_channels_ = 1;
}

extern "C" pigeon_apm *pigeon_apm_new(int rate, const pigeon_apm_config *cfg, int *err) {
	webrtc::Config config;
	config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(false));
	// The experimental gain control drives a microphone's analog volume,
	// which pigeon does not touch; the digital one stays.
	config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
	webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create(config);
	if (!apm) {
		*err = webrtc::AudioProcessing::kCreationFailedError;
		return NULL;
	}
	webrtc::StreamConfig mono(rate, 1, false);
	webrtc::ProcessingConfig pc = {{mono, mono, mono, mono}};
	int e = apm->Initialize(pc);
	if (e == 0) e = apm->high_pass_filter()->Enable(cfg->high_pass != 0);
	if (e == 0) e = apm->echo_cancellation()->enable_drift_compensation(false);
	if (e == 0) e = apm->echo_cancellation()->set_suppression_level(
	    static_cast<webrtc::EchoCancellation::SuppressionLevel>(cfg->echo_level));
	if (e == 0) e = apm->echo_cancellation()->enable_metrics(true);
	if (e == 0) e = apm->echo_cancellation()->enable_delay_logging(true);
	if (e == 0) e = apm->echo_cancellation()->Enable(cfg->echo != 0);
	if (e == 0) e = apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
	if (e == 0) e = apm->gain_control()->set_target_level_dbfs(cfg->gain_target);
	if (e == 0) e = apm->gain_control()->set_compression_gain_db(cfg->gain_max);
	if (e == 0) e = apm->gain_control()->enable_limiter(true);
	if (e == 0) e = apm->gain_control()->Enable(cfg->gain != 0);
	if (e != 0) {
		delete apm;
		*err = e;
		return NULL;
	}
	SpeexPreprocessState *noise = NULL;
	if (cfg->noise) {
		if (cfg->noise_frame <= 0 || (rate / 100) % cfg->noise_frame != 0) {
			delete apm;
			*err = webrtc::AudioProcessing::kBadParameterError;
			return NULL;
		}
		noise = speex_preprocess_state_init(cfg->noise_frame, rate);
		spx_int32_t on = 1, off = 0, db = cfg->noise_db;
		speex_preprocess_ctl(noise, SPEEX_PREPROCESS_SET_DENOISE, &on);
		speex_preprocess_ctl(noise, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &db);
		speex_preprocess_ctl(noise, SPEEX_PREPROCESS_SET_AGC, &off);
		speex_preprocess_ctl(noise, SPEEX_PREPROCESS_SET_DEREVERB, &off);
	}
	pigeon_apm *p = new pigeon_apm;
	p->apm = apm;
	p->noise = noise;
	p->noise_frame = cfg->noise_frame;
	p->rate = rate;
	p->samples = rate / 100;
	frame_init(&p->near, rate, p->samples);
	frame_init(&p->far, rate, p->samples);
	*err = 0;
	return p;
}

extern "C" void pigeon_apm_free(pigeon_apm *p) {
	if (p->noise) speex_preprocess_state_destroy(p->noise);
	delete p->apm;
	delete p;
}

extern "C" int pigeon_apm_far(pigeon_apm *p, const int16_t *frame) {
	frame_init(&p->far, p->rate, p->samples);
	memcpy(p->far.data_, frame, p->samples * sizeof(int16_t));
	return p->apm->ProcessReverseStream(&p->far);
}

extern "C" int pigeon_apm_near(pigeon_apm *p, int16_t *frame, int delay_ms) {
	frame_init(&p->near, p->rate, p->samples);
	memcpy(p->near.data_, frame, p->samples * sizeof(int16_t));
	p->apm->set_stream_delay_ms(delay_ms);
	int e = p->apm->ProcessStream(&p->near);
	if (e != 0 && e != webrtc::AudioProcessing::kBadStreamParameterWarning) {
		return e;
	}
	memcpy(frame, p->near.data_, p->samples * sizeof(int16_t));
	if (p->noise) {
		for (size_t at = 0; at < p->samples; at += p->noise_frame) {
			speex_preprocess_run(p->noise, frame + at);
		}
	}
	return e;
}

extern "C" void pigeon_apm_stats_get(pigeon_apm *p, pigeon_apm_stats *s) {
	memset(s, 0, sizeof(*s));
	webrtc::EchoCancellation *ec = p->apm->echo_cancellation();
	if (!ec->is_enabled()) {
		return;
	}
	s->has_echo = ec->stream_has_echo();
	webrtc::EchoCancellation::Metrics m;
	if (ec->GetMetrics(&m) == 0) {
		s->erle = m.echo_return_loss_enhancement.average;
		s->erl = m.echo_return_loss.average;
	}
	ec->GetDelayMetrics(&s->delay_median, &s->delay_std, &s->poor_delays);
}
