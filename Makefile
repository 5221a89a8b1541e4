# midge: the same commands for people and CI.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.Version=$(VERSION)
FUZZTIME  ?= 15s
RACE_PKGS := ./matcher/... ./engine/... ./client/... ./loadgen/... ./internal/pool/...

export PATH := /usr/local/go/bin:$(PATH)

.PHONY: all build deps test test-unit test-peers race fuzz bench lint cross clean bench-codec bench-matcher qemu-test benchmarks mochi

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/midge ./cmd/midge

# deps installs what the tests need when it is missing (Debian's mosquitto
# and mosquitto-clients, Go modules).
deps:
	./scripts/deps.sh

# test: every test of both modules, then the race detector on the packages
# that run concurrently. The black-box broker suite (internal/interop) runs
# once, against a midge built with the race detector (MIDGE_TEST_RACE=1).
test: deps test-unit test-peers race

test-unit:
	MIDGE_TEST_RACE=1 $(GO) test -count=1 ./...

test-peers:
	cd bench/peers && $(GO) test -count=1 ./...

race:
	$(GO) test -count=1 -race $(RACE_PKGS)
	# bench's concurrent parts: the stall probe's pinned threads, and the
	# usage sampler beside the load generator in every scenario (not the
	# minutes-long suite runs)
	$(GO) test -count=1 -race -run 'Stall|SpinFor|ReadProc|TestScenariosEndToEnd' ./bench/

fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./codec/... ./matcher/...

# benchmarks: midge beside mosquitto (and the peers) in one run; rewrites the
# suite section of BENCHMARKS.md.
benchmarks: build mochi
	./bin/midge bench suite --midge ./bin/midge

# mochi: the mochi-mqtt broker used as a benchmark peer (separate module).
mochi:
	cd bench/peers && $(GO) build -o ../../bin/mochi-broker ./mochibroker

bench-codec:
	cd bench/peers && ./codecbench/report.sh

bench-matcher:
	cd bench/peers && ./matcherbench/report.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd bench/peers && $(GO) vet ./...
	$(GO) test -count=1 ./internal/archtest/

cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/midge-linux-amd64 ./cmd/midge
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/midge-linux-arm64 ./cmd/midge
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/midge-linux-armv7 ./cmd/midge

# qemu-test runs the codec, matcher and engine tests for arm64 and armv7
# under QEMU user emulation (installs qemu-user-static when missing).
qemu-test:
	./scripts/qemu-test.sh

clean:
	rm -rf bin
