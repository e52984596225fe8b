# The commands a person runs. 'make demo' and 'make test' are the quick start.
GO ?= go
BIN := bin/pigeon

.PHONY: all setup build demo test bench lint fuzz clean

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

lint: setup
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...

# A short run of every fuzzer; FUZZTIME=5m for a longer one.
FUZZTIME ?= 20s
FUZZ_PACKAGES := ./offline/ ./transfer/ ./scan/ ./trust/ ./console/ ./call/
fuzz: setup
	@for p in $(FUZZ_PACKAGES); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep ^Fuzz); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
		done; \
	done

clean:
	rm -rf bin
