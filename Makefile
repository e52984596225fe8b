# The commands a person runs. 'make demo' and 'make test' are the quick start.
GO ?= go
BIN := bin/pigeon

# On linux/amd64, SDL (the call's window) is linked in: go-sdl2's "static"
# tag links the SDL build it ships, which opens the X11 libraries when a
# window opens. Debian's libSDL2 instead loads some forty libraries (Wayland,
# PulseAudio, D-Bus, sndfile, ...) into every pigeon process as it starts:
# 3.5 MB more in a call with a window, and 25 ms more to start. Exported, so that the tests
# and benchmarks that build pigeon build it the same way.
ifeq ($(shell $(GO) env GOOS)/$(shell $(GO) env GOARCH),linux/amd64)
export GOFLAGS := $(strip $(GOFLAGS) -tags=static)
endif

.PHONY: all setup build demo test bench hostile lint fuzz clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(GO) build -o $(BIN) .

demo: build
	@PIGEON=$(BIN) scripts/demo.sh

test: setup
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Calls between two processes, pigeon beside a pion-defaults baseline and in
# a window on Xvfb, then the package benchmarks that bench/report lists:
# prints the tables and writes docs/BENCHMARKS.md (about ten minutes). Any
# package alone: go test -run '^$' -bench . ./offline/ (and others).
bench: setup
	$(GO) run ./bench/report

# The attacks of e2e's TestHostile tests on pigeon processes, with what was
# refused, written and how much memory it took: writes docs/HOSTILE.md.
hostile: setup
	cd e2e && $(GO) test -count=1 -run Hostile . -hostile-table $(CURDIR)/docs/HOSTILE.md

lint: setup
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...

# A short run of every fuzzer; FUZZTIME=5m for a longer one.
FUZZTIME ?= 20s
FUZZ_PACKAGES := ./offline/ ./transfer/ ./scan/ ./trust/ ./console/ ./call/ ./capture/ ./render/ ./mesh/ ./internal/udpbatch/
fuzz: setup
	@for p in $(FUZZ_PACKAGES); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep ^Fuzz); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
		done; \
	done

clean:
	rm -rf bin
