#!/usr/bin/env bash
# db-pool pool-size sweep: the steady and overload scenarios in db-pool mode at each
# app.db.pool.max-connections in SIZES (min-connections is min(5, size), db-pool's default where
# it fits): throughput and p99 against pool size, to find this machine's knee.
#
#   benchmarks/load/sweep.sh                # the issue's full size (about 12 minutes)
#   DURATION=3 WARMUP=1 STEADY_CONNS=10 OVERLOAD_CONNS=20 SIZES="2 4" benchmarks/load/sweep.sh   # a smoke run
#
# Parameters as for benchmarks/load/run.sh (SIZES, DURATION, STEADY_CONNS, OVERLOAD_CONNS, ...).
source "$(dirname "$0")/lib.sh"
capture_command benchmarks/load/sweep.sh "$@"
parse_flags "$@"
set_defaults
record_command
write_config sweep
ensure_tools
ensure_wrk
describe_machine
ensure_ulimit "$(max() { (($1 > $2)) && echo "$1" || echo "$2"; }; max "$STEADY_CONNS" "$OVERLOAD_CONNS")"
build_jars
ensure_database
log "results: $RESULTS_DIR"

for size in $SIZES; do
	[[ "$size" =~ ^[0-9]+$ && "$size" -ge 1 ]] || die "SIZES must be whole numbers, got '$size'"
	for scenario in steady overload; do
		measure "$RAW/sweep/$size/$scenario" db-pool "$scenario" \
			"--app.db.pool.max-connections=$size" "--app.db.pool.min-connections=$(min 5 "$size")"
	done
done

run_report
