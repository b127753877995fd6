#!/usr/bin/env bash
# Make the report of a benchmark run from its raw results: results.json, report.md and the charts,
# in the run's directory; then copy the run to benchmarks/results/latest (a copy, not a link, so it
# can be committed; without logs/). A smoke run or a partial one (some modes, scenarios or ceilings
# only) is not copied, so that it never replaces the published full run; PUBLISH=1 copies it anyway.
#
#   benchmarks/report.sh benchmarks/results/<timestamp>
set -euo pipefail
BENCH_HOME="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: benchmarks/report.sh <results dir>}"
dir="$(cd "$dir" && pwd)"
jar="$BENCH_HOME/target/benchmarks.jar"
[[ -f "$jar" ]] || (cd "$BENCH_HOME/.." && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
"${JAVA:-java}" -Djava.awt.headless=true -cp "$jar" dev.dbpool.benchmarks.report.Report "$dir"
latest="$BENCH_HOME/results/latest"
if [[ "$dir" != "$latest" ]] && grep -q -E 'SMOKE RUN|PARTIAL RUN' "$dir/report.md" && [[ "${PUBLISH:-0}" != 1 ]]; then
	echo "bench: report in $dir/report.md; a smoke or partial run, so $latest is left as it was (PUBLISH=1 to copy it)"
elif [[ "$dir" != "$latest" ]]; then
	rm -rf "$latest"
	mkdir -p "$latest"
	(cd "$dir" && tar --exclude=./logs -cf - .) | (cd "$latest" && tar -xf -)
	echo "bench: report in $dir/report.md; copied to $latest"
fi
