#!/usr/bin/env bash
# db-pool's pool sizing against a fixed-size sweep (issue 15, "Proof"): for each workload, the sample app's
# packaged jar at each fixed max-connections of its sweep, then in app.db.pool.sizing=adaptive, and the sizing
# advice (db.pool.recommended.max-connections); then adaptive under steady load while pgbench loads the same
# server. summary.sh writes SUMMARY.md: the sweep's medians and spread, the best fixed size and its noise band,
# adaptive and the advice against it, and the issue's targets as PASS / FAIL lines.
#
#   benchmarks/sizing/run.sh                 # the issue's full size: about 44 minutes on 2 cores (below)
#   WORKLOADS="db-work" benchmarks/sizing/run.sh
#   benchmarks/sizing/run.sh --smoke         # everything, tiny (about 4 minutes), to check the set-up only
#
# Workloads (wrk on loopback, load/wrk-scenario.lua; WRK_THREADS threads):
#   steady    STEADY_CONNS (100) connections, GET /customers/<random id>: the CPU-bound key lookup
#   overload  OVERLOAD_CONNS (1000) connections, the same
#   slow-mix  SLOWMIX_CONNS (100) connections, SLOW_PERCENT (10) % GET /work?holdMs=SLOW_HOLD_MS (200), the rest lookups
#   db-work   DBWORK_CONNS (100) connections, GET /work/compute?loops=DBWORK_LOOPS (60000): one query of ~4 ms of
#             server CPU (count(*) over generate_series), so that the database is the bottleneck
# Per workload:
#   fixed     a JVM per size of SIZES_<WORKLOAD> (and DEFAULT_SIZE, 20, added if missing: the advice is read there),
#             app.db.pool.sizing=fixed, max-connections=<size>, min-connections=min(5, size): WARMUP s of the
#             workload, then REPEATS x DURATION s measured back to back; at the end the advice
#             (db.pool.recommended.max-connections) and /actuator/health are read
#   adaptive  REPEATS fresh JVMs, app.db.pool.sizing=adaptive from db-pool's default size (no max-connections;
#             ADAPTIVE_MAX_<WORKLOAD> gives one as a ceiling: slow-mix's is its sweep's largest size, 80, since
#             its best size lies above the default 20); the limit (db.pool.sizing.limit) and the advice are
#             recorded every second from the JVM's start (limit.csv); SETTLE s of the workload, then DURATION s
#             measured
# Then compete: one adaptive JVM under steady load: SETTLE s, then COMPETE s with pgbench (-S -M prepared,
# COMPETE_CLIENTS clients, its own database PGBENCH_DB, created and initialised with pgbench -i -s PGBENCH_SCALE
# and dropped by the script) on the same server, then RECOVER s without it; the limit every second.
# The actuator listens on MGMT_PORT (PORT + 1) so that reading it never queues behind the load's requests.
# Until adaptive mode exists, app.db.pool.sizing is ignored (the pool stays at its fixed size) and the limit
# meter is missing: recorded as "absent", and the adaptive targets are NOT JUDGED.
#
# Time, the defaults on 2 cores (a JVM's start and stop take about 12 s besides its load, as measured in the
# smoke runs): fixed 19 JVMs (5 + 5 + 4 + 5 sizes) x (12 s + WARMUP 10 + 3 x DURATION 15) = ~22 min; adaptive
# 4 x 3 JVMs x (12 s + SETTLE 60 + DURATION 15) = ~18 min; compete ~3.5 min (pgbench -i, SETTLE 60 + COMPETE
# 30 + RECOVER 60); the build (BUILD=1) ~1.5 min: about 44 minutes (the estimate, ESTIMATE_S, is also written to
# the run's config.env, and the wall time to wall-seconds.txt). The smoke run: about 4 minutes (6 with a load
# average of 15 from other work, when a JVM start took up to 60 s: run the full one on a quiet machine).
# Every wrk, pgbench and psql is bounded by timeout, every JVM by APP_LIFETIME (its own phases + 120 s), every
# app start by APP_START_TIMEOUT;
# every process started is ended on exit, and the pgbench database dropped.
#
# Parameters: environment variables or flags (--settle=30): WORKLOADS, REPEATS, SETTLE, COMPETE, RECOVER,
# SIZES_STEADY, SIZES_OVERLOAD, SIZES_SLOW_MIX, SIZES_DB_WORK, DEFAULT_SIZE, ADAPTIVE_MAX_STEADY,
# ADAPTIVE_MAX_OVERLOAD, ADAPTIVE_MAX_SLOW_MIX, ADAPTIVE_MAX_DB_WORK, DBWORK_CONNS, DBWORK_LOOPS, COMPETE_CLIENTS,
# PGBENCH_DB, MGMT_PORT, MONITOR_INTERVAL, COMPETE_PART, and the shared DURATION, WARMUP, STEADY_CONNS,
# OVERLOAD_CONNS, SLOWMIX_CONNS, SLOW_PERCENT, SLOW_HOLD_MS, PORT, WRK_THREADS, WRK_TIMEOUT, MAX_ID, DB, PGHOST,
# PGPORT, PGUSER, PGBENCH_SCALE, APP_JAVA_OPTS, APP_ARGS, APP_START_TIMEOUT, JAVA, BUILD, RESULTS_DIR (see
# benchmarks/README.md, "Pool sizing").
# Writes benchmarks/results/sizing-<UTC timestamp>/ (a smoke run: smoke-sizing-<timestamp>/): SUMMARY.md, raw/,
# machine/, config.env, commands.txt, wall-seconds.txt, and logs/ (not committed).
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh" || exit 1
BENCH_PARAMS+=(WORKLOADS REPEATS SETTLE COMPETE RECOVER SIZES_STEADY SIZES_OVERLOAD SIZES_SLOW_MIX SIZES_DB_WORK
	DEFAULT_SIZE ADAPTIVE_MAX_STEADY ADAPTIVE_MAX_OVERLOAD ADAPTIVE_MAX_SLOW_MIX ADAPTIVE_MAX_DB_WORK DBWORK_CONNS
	DBWORK_LOOPS COMPETE_CLIENTS PGBENCH_DB MGMT_PORT MONITOR_INTERVAL COMPETE_PART)
capture_command benchmarks/sizing/run.sh "$@"
args=()
SMOKE=0
for arg in "$@"; do
	if [[ "$arg" == --smoke ]]; then
		SMOKE=1
		: "${DURATION:=3}" "${WARMUP:=2}" "${SETTLE:=5}" "${REPEATS:=1}" "${COMPETE:=5}" "${RECOVER:=5}"
		: "${STEADY_CONNS:=10}" "${OVERLOAD_CONNS:=40}" "${SLOWMIX_CONNS:=10}" "${DBWORK_CONNS:=10}"
		: "${SIZES_STEADY:=2 4}" "${SIZES_OVERLOAD:=2}" "${SIZES_SLOW_MIX:=10}" "${SIZES_DB_WORK:=2 4}"
		: "${COMPETE_CLIENTS:=4}" "${PGBENCH_SCALE:=1}" "${MONITOR_INTERVAL:=1s}"
	else
		args+=("$arg")
	fi
done
parse_flags "${args[@]+"${args[@]}"}"
: "${WORKLOADS:=steady overload slow-mix db-work}"
: "${REPEATS:=3}"
: "${DURATION:=15}"            # seconds of each measured run
: "${WARMUP:=10}"              # fixed: seconds of the workload after the JVM's start, before the repeats
: "${SETTLE:=60}"              # adaptive: seconds of the workload before the measured DURATION
: "${COMPETE:=30}"             # seconds pgbench loads the server in the compete part
: "${RECOVER:=60}"             # seconds of steady load after pgbench stops
: "${SIZES_STEADY:=1 2 4 8 20}"
: "${SIZES_OVERLOAD:=1 2 4 8 20}"
: "${SIZES_SLOW_MIX:=10 20 50 80}"  # 80, not 100: the server has max_connections 100 (README)
: "${SIZES_DB_WORK:=2 4 8 20 32}"
: "${DEFAULT_SIZE:=20}"        # db-pool's default max-connections: the fixed run where the advice is read
: "${ADAPTIVE_MAX_STEADY:=}" "${ADAPTIVE_MAX_OVERLOAD:=}" "${ADAPTIVE_MAX_DB_WORK:=}"
: "${ADAPTIVE_MAX_SLOW_MIX:=$(printf '%s\n' $SIZES_SLOW_MIX "$DEFAULT_SIZE" | sort -n | tail -n 1)}"
: "${DBWORK_LOOPS:=60000}"     # about 4 ms of server CPU per query here (calibration.txt records it)
: "${COMPETE_CLIENTS:=16}"     # pgbench clients: enough to keep both cores busy
: "${PGBENCH_DB:=dbpool_bench_pgbench}"
: "${MONITOR_INTERVAL:=5s}"    # app.db.pool.monitor.interval of every run: the advice needs 3 intervals
: "${COMPETE_PART:=1}"         # 0 leaves the compete part out
: "${STEADY_CONNS:=100}"
: "${SLOWMIX_CONNS:=$STEADY_CONNS}"
: "${DBWORK_CONNS:=$STEADY_CONNS}"
: "${PORT:=18080}"
: "${MGMT_PORT:=$((PORT + 1))}"
if [[ "$SMOKE" == 1 ]]; then
	: "${RESULTS_DIR:=$BENCH_HOME/results/smoke-sizing-$(date -u +%Y%m%dT%H%M%SZ)}"
else
	: "${RESULTS_DIR:=$BENCH_HOME/results/sizing-$(date -u +%Y%m%dT%H%M%SZ)}"
fi
export RESULTS_DIR
set_defaults
[[ "$PGBENCH_DB" != "$DB" && "$PGBENCH_DB" =~ ^[a-z_][a-z0-9_]*$ ]] ||
	die "PGBENCH_DB must be a plain name other than DB ($DB): the script creates and drops it"
for w in $WORKLOADS; do
	case "$w" in steady | overload | slow-mix | db-work) ;; *) die "unknown workload '$w' (steady overload slow-mix db-work)" ;; esac
done
((REPEATS >= 1)) || die "REPEATS must be at least 1"

# --- workloads ---------------------------------------------------------------------------------------------

wvar() { printf '%s_%s' "$1" "$(printf '%s' "$2" | tr 'a-z-' 'A-Z_')"; } # <prefix> <workload>
# The sweep's sizes, sorted, with DEFAULT_SIZE added where missing.
workload_sizes() {
	local var
	var=$(wvar SIZES "$1")
	for s in ${!var}; do [[ "$s" =~ ^[0-9]+$ && "$s" -ge 1 ]] || die "$var must be whole numbers, got '$s'"; done
	printf '%s\n' ${!var} "$DEFAULT_SIZE" | sort -n -u | paste -sd' ' -
}

# --- the app: bounded in time, actuator on its own port ---------------------------------------------------

# Every JVM runs through this wrapper: timeout ends it after APP_LIFETIME seconds whatever happens to the script.
WRAPPER_DIR=$(mktemp -d /tmp/dbpool-bench-sizing.XXXXXX)
cat >"$WRAPPER_DIR/java" <<-EOF
	#!/usr/bin/env bash
	exec timeout --kill-after=15 "\${APP_LIFETIME:-600}" $(printf '%q' "$(command -v "$JAVA")") "\$@"
EOF
chmod +x "$WRAPPER_DIR/java"

PGBENCH_DB_CREATED=0
drop_pgbench_db() {
	((PGBENCH_DB_CREATED == 1)) || return 0
	timeout 60 psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres \
		-c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" >/dev/null 2>&1 || log "could not drop $PGBENCH_DB"
	PGBENCH_DB_CREATED=0
}
sizing_cleanup() {
	cleanup
	drop_pgbench_db
	rm -rf "$WRAPPER_DIR"
}
trap sizing_cleanup EXIT

common_app_args() {
	echo "--management.server.port=$MGMT_PORT --management.server.address=127.0.0.1" \
		"${MONITOR_INTERVAL:+--app.db.pool.monitor.interval=$MONITOR_INTERVAL}"
}

# A meter's value from the actuator: the number, "nan" (published, no value yet), "absent" (no such meter:
# 404) or "miss" (no answer).
meter() { # <name>
	local body code
	body=$(curl -s --max-time 2 -w '\n%{http_code}' "http://127.0.0.1:$MGMT_PORT/actuator/metrics/$1" 2>/dev/null) || {
		echo miss
		return
	}
	code=${body##*$'\n'}
	body=${body%$'\n'*}
	case "$code" in
		200)
			local v
			v=$(sed -n 's/.*"statistic":"VALUE","value":\([^,}]*\).*/\1/p' <<<"$body" | head -n 1)
			case "$v" in '' | NaN | '"NaN"' | null) echo nan ;; *) printf '%s\n' "$v" ;; esac
			;;
		404) echo absent ;;
		*) echo miss ;;
	esac
}

# Every second from now: "<s since start>,<epoch ms>,<limit>,<recommended>,<active>,<pending>" to <csv>.
LIMITS_PID=""
start_limits() { # <csv> <max seconds>
	local csv=$1 max=$2
	echo "t_s,epoch_ms,limit,recommended,active,pending" >"$csv"
	(
		t0=$(date +%s%3N)
		for ((i = 0; i < max; i++)); do
			now=$(date +%s%3N)
			echo "$(((now - t0) / 1000)),$now,$(meter db.pool.sizing.limit),$(meter db.pool.recommended.max-connections),$(meter hikaricp.connections.active),$(meter hikaricp.connections.pending)" >>"$csv"
			now=$(date +%s%3N)
			left=$((t0 + (i + 1) * 1000 - now))
			((left > 0)) && sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
		done
	) &
	LIMITS_PID=$!
	BG_PIDS+=("$LIMITS_PID")
}
stop_limits() {
	[[ -n "$LIMITS_PID" ]] || return 0
	stop_pid "$LIMITS_PID" 5
	forget_pid "$LIMITS_PID"
	LIMITS_PID=""
}

# What the app says at the end of a run: the advice, the limit, and the whole health answer.
read_end_state() { # <dir>
	curl -s --max-time 5 "http://127.0.0.1:$MGMT_PORT/actuator/health" >"$1/health.json" 2>/dev/null || true
	{
		echo "recommended_at_end=$(meter db.pool.recommended.max-connections)"
		echo "limit_at_end=$(meter db.pool.sizing.limit)"
		echo "health_recommended=$(jq -r '[.. | objects | select(has("recommendedMaxConnections")) | .recommendedMaxConnections] | first // "absent"' "$1/health.json" 2>/dev/null || echo absent)"
	} >>"$1/meta.env"
}

# One measured wrk run, with the others' CPU and the phase's start and end (epoch ms) in <json>.env.
measure_wrk() { # <out json> <workload> <seconds>
	local out=$1 w=$2 secs=$3 c0 c1 t0
	c0=$(others_cpu_snapshot)
	t0=$(date +%s%3N)
	# shellcheck disable=SC2046 # the script arguments are a word list
	run_wrk "$out" "$(scenario_conns "$w")" "$secs" $(scenario_script_args "$w")
	c1=$(others_cpu_snapshot)
	printf 'start_ms=%s\nend_ms=%s\nothers_cpu_percent=%s\n' "$t0" "$(date +%s%3N)" "$(others_cpu_percent "$c0" "$c1")" \
		>"${out%.json}.env"
}
meta() { grep -m1 "^$2=" "$1/meta.env" 2>/dev/null | cut -d= -f2- || true; } # <dir> <key>
wrk_brief() { jq -r '"\(.requests / (.duration_us / 1e6) | floor) req/s, p99 \(.latency_us.p99 / 1000) ms"' "$1" 2>/dev/null || echo 'no wrk summary'; }

launch() { # <dir> <log name> <lifetime s> <app args...>
	local dir=$1 logf="$LOGS/$2.log" lifetime=$3
	shift 3
	wait_db_idle
	# shellcheck disable=SC2046 # common_app_args is a word list
	APP_LIFETIME=$lifetime launch_app "$logf" "$WRAPPER_DIR/java" $(common_app_args) "$@"
	cat >"$dir/meta.env" <<-META
		app_args=$(common_app_args) $* $APP_ARGS
		app_log=${logf#"$RESULTS_DIR"/}
		launched_ms=$(date +%s%3N)
	META
}
started_ok() { # <log name>
	await_app "$APP_PID" "$LOGS/$1.log"
	echo "started_ms=$(date +%s%3N)" >>"$2/meta.env"
}

# --- the parts -----------------------------------------------------------------------------------------------

run_fixed() { # <workload> <size>
	local w=$1 size=$2 dir="$RAW/$1/fixed/$2" k
	mkdir -p "$dir"
	log "$w, fixed $size: starting the app"
	launch "$dir" "$w-fixed-$size" $((APP_START_TIMEOUT + WARMUP + REPEATS * (DURATION + 35) + 120)) \
		--app.db.pool.sizing=fixed "--app.db.pool.max-connections=$size" "--app.db.pool.min-connections=$(min 5 "$size")"
	started_ok "$w-fixed-$size" "$dir"
	if ((WARMUP > 0)); then
		# shellcheck disable=SC2046
		run_wrk "$dir/warmup.json" "$(scenario_conns "$w")" "$WARMUP" $(scenario_script_args "$w")
	fi
	for ((k = 1; k <= REPEATS; k++)); do
		measure_wrk "$dir/rep$k.json" "$w" "$DURATION"
		log "$w, fixed $size, repeat $k: $(wrk_brief "$dir/rep$k.json")"
	done
	read_end_state "$dir"
	printf 'workload=%s\nsize=%s\nconnections=%s\nduration_s=%s\nrepeats=%s\n' "$w" "$size" "$(scenario_conns "$w")" \
		"$DURATION" "$REPEATS" >>"$dir/meta.env"
	stop_app
	log "$w, fixed $size: advice at the end $(meta "$dir" recommended_at_end)"
}

adaptive_args() { # <workload>
	local var
	var=$(wvar ADAPTIVE_MAX "$1")
	echo "--app.db.pool.sizing=adaptive${!var:+ --app.db.pool.max-connections=${!var}}"
}

run_adaptive() { # <workload> <repeat>
	local w=$1 k=$2 dir="$RAW/$1/adaptive/$2" lifetime
	mkdir -p "$dir"
	lifetime=$((APP_START_TIMEOUT + SETTLE + DURATION + 60 + 120))
	log "$w, adaptive, repeat $k: starting the app ($(adaptive_args "$w"))"
	# shellcheck disable=SC2046
	launch "$dir" "$w-adaptive-$k" "$lifetime" $(adaptive_args "$w")
	start_limits "$dir/limit.csv" "$lifetime"
	started_ok "$w-adaptive-$k" "$dir"
	measure_wrk "$dir/settle.json" "$w" "$SETTLE"
	measure_wrk "$dir/wrk.json" "$w" "$DURATION"
	stop_limits
	read_end_state "$dir"
	printf 'workload=%s\nrepeat=%s\nconnections=%s\nsettle_s=%s\nduration_s=%s\n' "$w" "$k" "$(scenario_conns "$w")" \
		"$SETTLE" "$DURATION" >>"$dir/meta.env"
	stop_app
	log "$w, adaptive, repeat $k: $(wrk_brief "$dir/wrk.json"), limit at the end $(meta "$dir" limit_at_end)"
}

run_compete() {
	local dir="$RAW/compete" lifetime pg_pid rc=0 clients
	mkdir -p "$dir"
	log "compete: creating $PGBENCH_DB (pgbench -i -s $PGBENCH_SCALE)"
	timeout 60 psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" \
		-c "CREATE DATABASE $PGBENCH_DB" >"$LOGS/pgbench-createdb.log" 2>&1 || die "could not create $PGBENCH_DB (see $LOGS/pgbench-createdb.log)"
	PGBENCH_DB_CREATED=1
	run_bounded 600 "$LOGS/pgbench-init.log" pgbench -i -q -s "$PGBENCH_SCALE" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGBENCH_DB" ||
		die "pgbench -i failed (see $LOGS/pgbench-init.log)"
	lifetime=$((APP_START_TIMEOUT + SETTLE + COMPETE + RECOVER + 180))
	log "compete: starting the app ($(adaptive_args steady))"
	# shellcheck disable=SC2046
	launch "$dir" compete "$lifetime" $(adaptive_args steady)
	start_limits "$dir/limit.csv" "$lifetime"
	started_ok compete "$dir"
	measure_wrk "$dir/settle.json" steady "$SETTLE"
	clients=$COMPETE_CLIENTS
	log "compete: pgbench -S -M prepared -c $clients -j 2 -T $COMPETE on $PGBENCH_DB, under steady load"
	timeout --kill-after=10 $((COMPETE + 30)) pgbench -n -S -M prepared -c "$clients" -j 2 -T "$COMPETE" \
		-h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGBENCH_DB" >"$dir/pgbench.txt" 2>&1 &
	pg_pid=$!
	BG_PIDS+=("$pg_pid")
	echo "pgbench_start_ms=$(date +%s%3N)" >>"$dir/meta.env"
	measure_wrk "$dir/during.json" steady "$COMPETE"
	wait "$pg_pid" || rc=$?
	forget_pid "$pg_pid"
	echo "pgbench_end_ms=$(date +%s%3N)" >>"$dir/meta.env"
	((rc == 0)) || log "pgbench exited with status $rc (see $dir/pgbench.txt)"
	measure_wrk "$dir/after.json" steady "$RECOVER"
	stop_limits
	read_end_state "$dir"
	printf 'workload=steady\nconnections=%s\nsettle_s=%s\ncompete_s=%s\nrecover_s=%s\npgbench_clients=%s\npgbench_status=%s\npgbench_tps=%s\n' \
		"$STEADY_CONNS" "$SETTLE" "$COMPETE" "$RECOVER" "$clients" "$rc" \
		"$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$dir/pgbench.txt" | head -n 1)" >>"$dir/meta.env"
	stop_app
	drop_pgbench_db
	log "compete: done (pgbench $(meta "$dir" pgbench_tps) tps)"
}

# The server time of one db-work query, from psql's \timing: 20 runs after 3 unmeasured.
calibrate() {
	local out="$RAW/calibration.txt"
	{
		echo '\timing on'
		for ((i = 0; i < 23; i++)); do echo "SELECT count(*) FROM generate_series(1, $DBWORK_LOOPS);"; done
	} | timeout 120 psql -X -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" -At 2>&1 |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n +4 >"$out.times" || true
	{
		echo "query=SELECT count(*) FROM generate_series(1, $DBWORK_LOOPS)"
		echo "runs=$(wc -l <"$out.times")"
		echo "median_ms=$(sort -g "$out.times" | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; else print "nan" }')"
		echo "min_ms=$(sort -g "$out.times" | head -n 1)"
		echo "max_ms=$(sort -g "$out.times" | tail -n 1)"
	} >"$out"
	rm -f "$out.times"
	log "db-work: one query of $DBWORK_LOOPS loops takes $(grep median_ms "$out" | cut -d= -f2) ms on the server (psql \\timing, idle machine)"
}

# --- the run ---------------------------------------------------------------------------------------------------

for tool in jq; do command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"; done
ensure_tools
ensure_wrk
ensure_ulimit "$(printf '%s\n' "$STEADY_CONNS" "$OVERLOAD_CONNS" "$SLOWMIX_CONNS" "$DBWORK_CONNS" | sort -n | tail -n 1)"
build_app "$LOGS/build.log"
record_command
ensure_database
describe_machine
port_open "$MGMT_PORT" && die "MGMT_PORT $MGMT_PORT is in use; set MGMT_PORT=... to a free one"
# A pool larger than the server's free slots meets "too many clients": say so before the hour is spent.
free_slots=$(($(psql_q 'show max_connections') - $(connection_counts | cut -d' ' -f2) - 2))
largest=$(for w in $WORKLOADS; do workload_sizes "$w"; v=$(wvar ADAPTIVE_MAX "$w"); echo "${!v}"; done | tr ' ' '\n' | sort -n | tail -n 1)
if ((largest + 1 > free_slots)); then
	log "WARNING: the largest pool asked for, $largest (+ the monitor's connection), exceeds the server's $free_slots free slots:" \
		"those runs will meet 'too many clients' (lower SIZES_SLOW_MIX, or run on a quieter or larger server)"
fi
# The estimate of the wall time, as in the header: ~12 s per JVM besides its load, the build ~90 s.
estimate=$((BUILD == 1 ? 90 : 0))
for w in $WORKLOADS; do
	for s in $(workload_sizes "$w"); do estimate=$((estimate + 12 + WARMUP + REPEATS * (DURATION + 1))); done
	estimate=$((estimate + REPEATS * (12 + SETTLE + DURATION + 1)))
done
((COMPETE_PART == 1)) && estimate=$((estimate + 40 + SETTLE + COMPETE + RECOVER))
{
	for name in "${BENCH_PARAMS[@]}"; do printf '%s=%s\n' "$name" "${!name-}"; done
	printf 'SMOKE=%s\nESTIMATE_S=%s\nFREE_SLOTS=%s\n' "$SMOKE" "$estimate" "$free_slots"
	for w in $WORKLOADS; do printf 'SWEEP_%s=%s\nADAPTIVE_ARGS_%s=%s\n' "$(wvar X "$w" | cut -c3-)" "$(workload_sizes "$w")" \
		"$(wvar X "$w" | cut -c3-)" "$(adaptive_args "$w")"; done
} >"$RESULTS_DIR/config.env"
log "results: $RESULTS_DIR (estimated $((estimate / 60)) min)"

started=$SECONDS
[[ " $WORKLOADS " == *" db-work "* ]] && calibrate
for w in $WORKLOADS; do
	for size in $(workload_sizes "$w"); do run_fixed "$w" "$size"; done
	for ((k = 1; k <= REPEATS; k++)); do run_adaptive "$w" "$k"; done
done
((COMPETE_PART == 1)) && run_compete
echo "$((SECONDS - started))" >"$RESULTS_DIR/wall-seconds.txt"
log "all runs done in $((SECONDS - started)) s (estimated $estimate s)"
"$BENCH_HOME/sizing/summary.sh" "$RESULTS_DIR"
