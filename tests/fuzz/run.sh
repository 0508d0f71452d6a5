#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in a build tree of their own and runs
# each for a bounded number of inputs, starting from tests/fuzz/corpus/<target>.
# New inputs go to a temporary folder, never into the seed corpus.  A crash,
# leak or sanitizer report fails the run and leaves the input as
# BUILD/<target>-crash-*.  Exit 77 (skipped) when clang is not installed.
#
#   tests/fuzz/run.sh SOURCE_DIR BUILD_DIR [LIBFUZZER_FLAG...]
#   default flag: -runs=200000; a long run: -max_total_time=600
set -euo pipefail
src=$1 build=$2
shift 2
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-runs=200000)
targets=(fuzz_fxjson fuzz_fxv2 fuzz_feed fuzz_money fuzz_api fuzz_url fuzz_header fuzz_jscan)

if ! command -v clang >/dev/null; then
	echo "clang not found: fuzz targets skipped"
	exit 77
fi
CC=clang cmake -S "$src" -B "$build" -DCCONV_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
	mkdir "$work/$t"
	echo "== $t ${flags[*]}"
	rc=0
	"$build/$t" "${flags[@]}" -max_len=4096 -print_final_stats=1 -artifact_prefix="$build/$t-" \
	    "$work/$t" "$src/tests/fuzz/corpus/$t" >"$build/$t.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 60 "$build/$t.log"
		echo "$t failed (exit $rc): input saved as $build/$t-crash-* or similar"
		exit 1
	fi
	grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)|DONE +cov:' "$build/$t.log"
done
