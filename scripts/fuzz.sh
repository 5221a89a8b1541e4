#!/usr/bin/env bash
# Runs every Fuzz* target of the module for a bounded time each.
# FUZZTIME (default 15s) bounds each target.
set -euo pipefail
fuzztime=${FUZZTIME:-15s}
status=0
for dir in $(go list -f '{{.Dir}}' ./...); do
	pkg=$(go list "$dir")
	for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz: $pkg $fn ($fuzztime)"
		if ! go test -run='^$' -fuzz="^${fn}\$" -fuzztime="$fuzztime" "$pkg"; then
			status=1
		fi
	done
done
exit $status
