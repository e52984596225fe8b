/* A C face for WebRTC's audio processing module (webrtc-audio-processing
 * 0.3) and SpeexDSP's noise suppressor, for cgo: one processor of 10 ms
 * mono frames of 16-bit samples. */
#ifndef PIGEON_APM_SHIM_H
#define PIGEON_APM_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pigeon_apm pigeon_apm;

typedef struct {
	int echo;        /* cancel the echo of the far end */
	int echo_level;  /* the echo suppressor's: 0 low, 1 moderate, 2 high */
	int noise;       /* suppress noise */
	int noise_db;    /* the most it takes off noise, dB (negative) */
	int noise_frame; /* the noise suppressor's frame, samples: its delay */
	int gain;        /* adaptive digital gain control */
	int gain_target; /* dB below full scale the gain control aims at */
	int gain_max;    /* dB of gain it may add */
	int high_pass;   /* remove what is below 80 Hz */
} pigeon_apm_config;

typedef struct {
	int has_echo;      /* the canceller thinks the last frame held echo */
	int erle;          /* its own echo return loss enhancement, dB: average */
	int erl;           /* echo return loss, dB: average */
	int delay_median;  /* the delay it estimated, ms */
	int delay_std;     /* its spread, ms */
	float poor_delays; /* the fraction of delays it could not trust */
} pigeon_apm_stats;

/* pigeon_apm_new returns NULL and sets *err when the module refuses. */
pigeon_apm *pigeon_apm_new(int rate, const pigeon_apm_config *cfg, int *err);
void pigeon_apm_free(pigeon_apm *p);

/* pigeon_apm_far hands the module one frame the speaker played. */
int pigeon_apm_far(pigeon_apm *p, const int16_t *frame);

/* pigeon_apm_near processes one frame the microphone recorded, in place;
 * delay_ms is how long after the newest far frame its echo arrives. */
int pigeon_apm_near(pigeon_apm *p, int16_t *frame, int delay_ms);

void pigeon_apm_stats_get(pigeon_apm *p, pigeon_apm_stats *s);

#ifdef __cplusplus
}
#endif

#endif
