#!/usr/bin/env bash
# Runs the tests of the hot-path packages (codec, matcher, engine — those
# that exist) built for arm64 and for armv7 (GOARCH=arm GOARM=7), each test
# binary executed under QEMU user-mode emulation. This catches what only a
# board would show: 32-bit int overflow, unaligned 64-bit atomics on armv7,
# and byte-order or word-size assumptions.
#
# Usage: scripts/qemu-test.sh [extra go test flags]
#   ARCHES   which targets to run (default "arm64 armv7")
#   PKGS     packages to test (default: whichever of ./codec/... ./matcher/...
#            ./engine/... exist)
#   TIMEOUT  go test -timeout per package (default 10m)
#
# QEMU comes from Debian's qemu-user-static (qemu-user as a fallback); the
# script installs it with apt-get when it is missing and it runs as root.
# -race is not available under emulation. Tests run with -short: a package's
# long tests should honour testing.Short() to keep this run bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

arches=${ARCHES:-"arm64 armv7"}
timeout=${TIMEOUT:-10m}

# find_qemu NAME prints the path of qemu-NAME-static or qemu-NAME.
find_qemu() {
	command -v "qemu-$1-static" 2>/dev/null || command -v "qemu-$1" 2>/dev/null || true
}

ensure_qemu() {
	if [ -n "$(find_qemu aarch64)" ] && [ -n "$(find_qemu arm)" ]; then
		return
	fi
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "qemu-test: qemu-aarch64/qemu-arm not found; install qemu-user-static" >&2
		exit 2
	fi
	echo "qemu-test: installing qemu-user-static"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-user-static; then
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-user-static ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-user
	fi
}

if [ -n "${PKGS:-}" ]; then
	read -r -a pkgs <<<"$PKGS"
else
	pkgs=()
	for d in codec matcher engine; do
		# Only directories holding Go packages: go test fails on a pattern
		# that matches nothing.
		if [ -d "$d" ] && [ -n "$(go list "./$d/..." 2>/dev/null)" ]; then
			pkgs+=("./$d/...")
		fi
	done
fi
if [ ${#pkgs[@]} -eq 0 ]; then
	echo "qemu-test: no codec, matcher or engine package to test" >&2
	exit 2
fi

ensure_qemu

status=0
start_all=$(date +%s)
for arch in $arches; do
	case $arch in
	arm64) goarch=arm64 goarm= qemu=$(find_qemu aarch64) ;;
	armv7) goarch=arm goarm=7 qemu=$(find_qemu arm) ;;
	*)
		echo "qemu-test: unknown arch $arch (arm64, armv7)" >&2
		exit 2
		;;
	esac
	t0=$(date +%s)
	echo "=== qemu-test: $arch (${pkgs[*]}) with $qemu"
	if CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
		go test -short -count=1 -timeout "$timeout" -exec "$qemu" "$@" "${pkgs[@]}"; then
		echo "=== qemu-test: $arch: ok in $(($(date +%s) - t0))s"
	else
		echo "=== qemu-test: $arch: FAILED after $(($(date +%s) - t0))s"
		status=1
	fi
done
# A short `midge bench` smoke run: an emulated arm64 midge driven by the
# emulated arm64 load generator. The record must say it was emulated (it is
# never a board's figure) and show every message delivered.
if [ "${SMOKE:-1}" = 1 ] && [[ " $arches " == *" arm64 "* ]]; then
	t0=$(date +%s)
	echo "=== qemu-test: arm64 midge bench smoke run"
	qemu=$(find_qemu aarch64)
	tmp=$(mktemp -d)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -o "$tmp/midge" ./cmd/midge
	port=$((20000 + RANDOM % 20000))
	if timeout 120 "$qemu" "$tmp/midge" bench run latency --no-progress \
		--spawn "$qemu $tmp/midge serve --profile none -p $port" --broker "127.0.0.1:$port" \
		--publishers 20 --rate 5 --duration 2s --qos 1 -o "$tmp/smoke.json" &&
		grep -q '"emulated": true' "$tmp/smoke.json" &&
		grep -q '"lost": 0' "$tmp/smoke.json" &&
		grep -q '"received": 200' "$tmp/smoke.json"; then
		echo "=== qemu-test: smoke: ok in $(($(date +%s) - t0))s"
	else
		echo "=== qemu-test: smoke: FAILED after $(($(date +%s) - t0))s"
		cat "$tmp/smoke.json" 2>/dev/null | head -40
		status=1
	fi
	rm -rf "$tmp"
fi
echo "=== qemu-test: total $(($(date +%s) - start_all))s"
exit $status
