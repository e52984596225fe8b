#!/usr/bin/env bash
# A real call between two pigeon processes on this machine, with test sources:
# the codes they exchange, the chat going both ways, and what media arrived.
set -euo pipefail

pigeon=${PIGEON:-bin/pigeon}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/offer.out" "$work/offer.in" "$work/answer.out" "$work/answer.in"

# relay carries one code from one pigeon to the other, showing it on the way.
relay() {
	local line
	read -r line <"$1"
	printf '  %s code (%d characters): %s\n' "$3" "${#line}" "$line"
	printf '%s\n' "$line" >"$2"
}

common=(--video test --audio test --interface lo)
echo "== two pigeons call each other through FIFOs (test picture and 480 Hz tone, loopback)"
relay "$work/offer.out" "$work/offer.in" offer &
relay "$work/answer.out" "$work/answer.in" answer &

echo "hello from the caller" |
	"$pigeon" call "${common[@]}" --duration 5s --record "$work/caller" \
		--signal-out "$work/offer.out" --signal-in "$work/answer.in" 2>&1 | sed -u 's/^/  caller | /' &
caller=$!
echo "hi from the callee" |
	"$pigeon" answer "${common[@]}" --duration 60s --record "$work/callee" \
		--signal-in "$work/offer.in" --signal-out "$work/answer.out" 2>&1 | sed -u 's/^/  callee | /'
wait "$caller"
echo "== done: each side printed the peer's chat line and what it received"
