#!/usr/bin/env bash
# Installs what the tests need when it is missing: Debian's mosquitto broker
# and clients (the reference the interop tests compare against) and the Go
# modules of both modules. Safe to run again; does nothing when all is there.
set -euo pipefail
need=()
for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd mosquitto_rr; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "deps: missing ${need[*]}: installing mosquitto mosquitto-clients with apt-get"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mosquitto mosquitto-clients >/dev/null
fi
# The HTML benchmark report is checked in headless Chromium.
if ! command -v chromium >/dev/null 2>&1; then
	echo "deps: installing chromium with apt-get"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
# Debian starts a mosquitto service on 1883 on install; the tests start their
# own brokers on free ports, so stop it to keep the README's port free.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
	systemctl stop mosquitto || true
fi
go mod download
(cd bench/peers && go mod download)
