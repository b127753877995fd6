#!/usr/bin/env bash
# db-pool JMH benchmarks: the getConnection()/close() cycle and a prepared SELECT 1 round trip on a
# bare HikariDataSource, on Spring Boot's own pool and on the DataSource db-pool gives the application,
# at each thread count in JMH_THREADS, and the guards on the borrow path against HikariCP alone; then the cost per call of db-pool's health check and monitor
# (left out, with the reason recorded, while those features are not on the class path).
#
#   benchmarks/jmh/run.sh                   # the issue's full size (about 16 minutes)
#   JMH_THREADS=1 JMH_POOL=8 JMH_ARGS="-f 1 -wi 1 -i 1 -w 1s -r 1s" benchmarks/jmh/run.sh   # a smoke run
#
# JMH_ARGS is added to every JMH command line (it can override forks, iterations and times).
# JMH_VARIANTS picks BorrowPathBenchmark's pools (default: bare, no-op-tracker, boot-default, db-pool; also
# db-pool-timings, micrometer-tracker, db-pool-no-percentiles, db-pool-histogram-only: see PoolVariant), e.g.
#   JMH_VARIANTS=bare,no-op-tracker,db-pool-timings,db-pool benchmarks/jmh/run.sh
source "$(dirname "$0")/../load/lib.sh"
capture_command benchmarks/jmh/run.sh "$@"
parse_flags "$@"
set_defaults
record_command
write_config jmh
ensure_tools
describe_machine
build_jars
ensure_database
log "results: $RESULTS_DIR"

export DBPOOL_BENCH_JDBC_URL="$JDBC_URL" DBPOOL_BENCH_USERNAME="$PGUSER"
mkdir -p "$RAW/jmh"
# A bound on each JMH run, so that nothing hangs for ever: generous for the default settings.
JMH_TIMEOUT=${JMH_TIMEOUT:-3600}

# One hot-path benchmark class at one thread count; its JSON is raw/jmh/<file>-t<threads>.json.
run_hot_path() {
	local benchmark=$1 file=$2 threads=$3 rc=0 variants=()
	[[ $benchmark == BorrowPathBenchmark && -n ${JMH_VARIANTS:-} ]] && variants=(-p "variant=$JMH_VARIANTS")
	log "JMH: $benchmark, $threads thread(s), pool $JMH_POOL"
	# shellcheck disable=SC2086 # JMH_ARGS is a word list
	run_bounded "$JMH_TIMEOUT" "$LOGS/jmh-$file-t$threads.log" "$JAVA" -jar "$BENCH_JAR" \
		"dev.dbpool.benchmarks.jmh.$benchmark" -t "$threads" -p maxConnections="$JMH_POOL" "${variants[@]}" \
		-rf json -rff "$RAW/jmh/$file-t$threads.json" $JMH_ARGS || rc=$?
	((rc == 0)) || die "JMH failed with status $rc (see $LOGS/jmh-$file-t$threads.log)"
}

for threads in $JMH_THREADS; do
	run_hot_path BorrowPathBenchmark borrow-path "$threads"
	run_hot_path GuardCostBenchmark guard-cost "$threads"
done

log "JMH: which of db-pool's monitor and health check this build has"
run_bounded 120 "$LOGS/jmh-feature-probe.log" "$JAVA" -cp "$BENCH_JAR" dev.dbpool.benchmarks.jmh.FeatureProbe \
	"$RAW/jmh/features.env" "$MONITOR_METHOD" || die "the feature probe failed (see $LOGS/jmh-feature-probe.log)"
grep '^feature-probe:' "$LOGS/jmh-feature-probe.log" | sed 's/^/  /' >&2

indicators="boot-db"
grep -q '^health=available' "$RAW/jmh/features.env" && indicators="db-pool,boot-db"
feature_benchmarks="healthCheck"
if grep -q '^monitor=available' "$RAW/jmh/features.env"; then
	feature_benchmarks="healthCheck|monitorCall"
else
	log "JMH: NOT RUN: the monitor's cost per call ($(grep '^monitor.detail=' "$RAW/jmh/features.env" | cut -d= -f2-))"
fi
grep -q '^health=available' "$RAW/jmh/features.env" ||
	log "JMH: NOT RUN: db-pool's health check cost per call ($(grep '^health.detail=' "$RAW/jmh/features.env" | cut -d= -f2-)); Spring Boot's db indicator is measured alone"
log "JMH: FeatureCostBenchmark ($feature_benchmarks; indicators $indicators), 1 thread"
rc=0
# shellcheck disable=SC2086
run_bounded "$JMH_TIMEOUT" "$LOGS/jmh-feature-cost.log" "$JAVA" -jar "$BENCH_JAR" \
	"dev.dbpool.benchmarks.jmh.FeatureCostBenchmark.($feature_benchmarks)\$" -t 1 -p maxConnections="$JMH_POOL" \
	-p indicator="$indicators" -p monitorMethod="$MONITOR_METHOD" -rf json -rff "$RAW/jmh/feature-cost.json" \
	$JMH_ARGS || rc=$?
((rc == 0)) || die "JMH failed with status $rc (see $LOGS/jmh-feature-cost.log)"

run_report
