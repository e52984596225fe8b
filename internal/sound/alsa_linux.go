package sound

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>

static void pigeon_alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

// pigeon_alsa_silence stops libasound printing its own errors on stderr:
// on a machine without a sound card it prints dozens of lines before
// miniaudio gives up, and Open reports the failure in one line instead.
// miniaudio loads libasound with dlopen too, so both share this instance;
// the handle stays open so that the handler does too.
static void pigeon_alsa_silence(void) {
	void *lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (!lib) {
		return;
	}
	int (*set_handler)(void *) = (int (*)(void *))dlsym(lib, "snd_lib_error_set_handler");
	if (set_handler) {
		set_handler((void *)pigeon_alsa_quiet);
	}
}
*/
import "C"

import "sync"

var silenceALSA = sync.OnceFunc(func() { C.pigeon_alsa_silence() })
