#!/bin/sh
# Installs what hark needs, builds it, and runs the whole test suite.
#   scripts/test.sh          the normal build (build/)
#   scripts/test.sh --asan   the same tests under ASan+UBSan (build-asan/)
#   scripts/test.sh --fuzz   the libFuzzer targets, briefly, on their seeds
set -eu
cd "$(dirname "$0")/.."
preset=default
case "${1:-}" in
	--asan) preset=asan ;;
	--fuzz) preset=fuzz ;;
	"") ;;
	*) echo "usage: scripts/test.sh [--asan|--fuzz]" >&2; exit 1 ;;
esac
./scripts/setup-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
if [ "$preset" = fuzz ]; then
	exec ctest --test-dir build-fuzz -L fuzz --output-on-failure -j2
fi
exec ctest --preset "$preset"
