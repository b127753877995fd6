#!/usr/bin/env bash
# Every db-pool benchmark in one run: build, load (modes x scenarios, with both ceilings), pool-size
# sweep, JMH, then one report with charts in benchmarks/results/<UTC timestamp>/, copied to
# benchmarks/results/latest.
#
#   benchmarks/run-all.sh                   # the issue's full size: about 45 minutes on 2 cores
#   benchmarks/run-all.sh --smoke           # every piece, small and short (about 7 minutes)
#
# Parameters as for the pieces (see benchmarks/README.md); --smoke sets small defaults for those not given.
source "$(dirname "$0")/load/lib.sh"
capture_command benchmarks/run-all.sh "$@"
args=()
for arg in "$@"; do
	if [[ "$arg" == --smoke ]]; then
		: "${DURATION:=3}" "${WARMUP:=1}" "${STEADY_CONNS:=10}" "${OVERLOAD_CONNS:=20}" "${SLOWMIX_CONNS:=10}"
		: "${POOL_MAX:=8}" "${SIZES:=2 4}" "${PGBENCH_MAX_CLIENTS:=10}"
		: "${JMH_THREADS:=1}" "${JMH_POOL:=8}" "${JMH_ARGS:=-f 1 -wi 1 -i 1 -w 1s -r 1s}"
		export DURATION WARMUP STEADY_CONNS OVERLOAD_CONNS SLOWMIX_CONNS POOL_MAX SIZES PGBENCH_MAX_CLIENTS
		export JMH_THREADS JMH_POOL JMH_ARGS
	else
		args+=("$arg")
	fi
done
parse_flags "${args[@]+"${args[@]}"}"
set_defaults
record_command
build_jars
export BUILD=0 NO_REPORT=1 RESULTS_DIR BENCH_PARENT=1
started=$SECONDS
# Each piece in the background, waited for, so that a signal to this script ends the piece (and
# whatever it started) at once.
run_piece() {
	local pid rc=0
	"$@" &
	pid=$!
	BG_PIDS+=("$pid")
	wait "$pid" || rc=$?
	forget_pid "$pid"
	((rc == 0)) || die "$* failed with status $rc"
}
run_piece "$BENCH_HOME/load/run.sh"
run_piece "$BENCH_HOME/load/sweep.sh"
run_piece "$BENCH_HOME/jmh/run.sh"
NO_REPORT=0 run_report
log "all benchmarks done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
