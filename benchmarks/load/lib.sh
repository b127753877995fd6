# shellcheck shell=bash
# Shared by db-pool's benchmark scripts (benchmarks/load/run.sh, benchmarks/load/sweep.sh,
# benchmarks/jmh/run.sh, benchmarks/run-all.sh). Every parameter is an environment variable
# with the issue's full-size default, or a flag of the same name: --steady-conns=10 is
# STEADY_CONNS=10. See benchmarks/README.md for each one.

set -euo pipefail

BENCH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_HOME/.." && pwd)"

# The parameters, with the issue's defaults.
BENCH_PARAMS=(DURATION WARMUP STEADY_CONNS OVERLOAD_CONNS SLOWMIX_CONNS SLOW_PERCENT SLOW_HOLD_MS MODES
	SCENARIOS SIZES POOL_MAX CEILINGS WRK_THREADS WRK_TIMEOUT MAX_ID PORT DB PGHOST PGPORT PGUSER
	PGBENCH_SCALE PGBENCH_MAX_CLIENTS PGBENCH_PROTOCOL APP_JAVA_OPTS APP_ARGS APP_START_TIMEOUT JAVA JAVA_25
	JMH_THREADS JMH_ARGS JMH_POOL MONITOR_METHOD BUILD RESULTS_DIR NO_REPORT)

parse_flags() {
	local arg name value
	for arg in "$@"; do
		case "$arg" in
			-h | --help)
				sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
				exit 0
				;;
			--*=*)
				name="${arg%%=*}"
				name="${name#--}"
				name="$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')"
				value="${arg#*=}"
				if [[ " ${BENCH_PARAMS[*]} " != *" $name "* ]]; then
					die "unknown flag $arg (parameters: ${BENCH_PARAMS[*]})"
				fi
				printf -v "$name" '%s' "$value"
				export "${name?}"
				;;
			*) die "unexpected argument '$arg'; flags look like --duration=30 (see benchmarks/README.md)" ;;
		esac
	done
}

set_defaults() {
	: "${DURATION:=30}"              # seconds of each measured run
	: "${WARMUP:=10}"                # seconds of load before each measured run, not counted
	: "${STEADY_CONNS:=100}"         # wrk connections in steady
	: "${OVERLOAD_CONNS:=1000}"      # wrk connections in overload
	: "${SLOWMIX_CONNS:=$STEADY_CONNS}" # wrk connections in slow-mix
	: "${SLOW_PERCENT:=10}"          # slow-mix: share of requests that hold a connection
	: "${SLOW_HOLD_MS:=200}"         # slow-mix: how long those hold it
	: "${MODES:=no-pool boot-default db-pool db-pool-oltp}"
	: "${SCENARIOS:=steady overload slow-mix}"
	: "${SIZES:=2 4 8 16 32 64}"     # sweep: max-connections values
	: "${POOL_MAX:=}"                # if set, caps every pooled mode at this many connections (smoke runs)
	: "${CEILINGS:=1}"               # 0 skips the HTTP and database ceilings
	: "${WRK_THREADS:=2}"            # one per core of the reference machine
	: "${WRK_TIMEOUT:=5s}"           # a response slower than this counts as a timeout error
	: "${MAX_ID:=50000}"             # customer ids 1..MAX_ID (the sample app's data set)
	: "${PORT:=18080}"
	: "${DB:=dbpool_bench}"
	: "${PGHOST:=127.0.0.1}"
	: "${PGPORT:=5432}"
	: "${PGUSER:=postgres}"
	: "${PGBENCH_SCALE:=10}"
	: "${PGBENCH_MAX_CLIENTS:=80}"   # the database ceiling never uses more clients than this
	: "${PGBENCH_PROTOCOL:=prepared}" # as the app's driver does after a few executions
	: "${APP_JAVA_OPTS:=-Xmx1g}"
	: "${APP_ARGS:=}"                # extra arguments for every app start
	: "${APP_START_TIMEOUT:=90}"
	: "${JAVA:=java}"
	: "${JAVA_25:=}"                 # the JDK 25 of db-pool-virtual (its directory or its java); found if empty
	: "${JMH_THREADS:=1 2 8}"
	: "${JMH_ARGS:=}"                # extra JMH options, e.g. "-f 1 -wi 1 -i 1 -w 1s -r 1s" for a smoke run
	: "${JMH_POOL:=20}"              # pool size of every JMH variant (db-pool's default)
	: "${MONITOR_METHOD:=sampleAll}"  # the monitor call FeatureCostBenchmark measures
	: "${BUILD:=1}"                  # 0 uses the jars already built
	: "${NO_REPORT:=0}"              # 1 leaves the report to the caller (run-all.sh)
	export PGHOST PGPORT PGUSER
	JDBC_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB"
	APP_JAR="$REPO_ROOT/sample-app/target/db-pool-sample-app.jar"
	BENCH_JAR="$BENCH_HOME/target/benchmarks.jar"
	LUA="$BENCH_HOME/load/wrk-scenario.lua"
	if [[ -z "${RESULTS_DIR:-}" ]]; then
		RESULTS_DIR="$BENCH_HOME/results/$(date -u +%Y%m%dT%H%M%SZ)"
	fi
	export RESULTS_DIR
	RAW="$RESULTS_DIR/raw"
	LOGS="$RESULTS_DIR/logs"
	mkdir -p "$RAW" "$LOGS"
}

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# Every background process a script starts is recorded here and ended on exit, whatever the exit.
BG_PIDS=()
stop_pid() {
	local pid=$1 waited=0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && ((waited < ${2:-20})); do
		sleep 1
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "process $pid still running after ${2:-20}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		stop_pid "$pid" 10
	done
	BG_PIDS=()
}
forget_pid() {
	local keep=() pid
	for pid in "${BG_PIDS[@]}"; do
		[[ "$pid" == "$1" ]] || keep+=("$pid")
	done
	BG_PIDS=("${keep[@]}")
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Run a command for at most <seconds>, its output to <file>, in the background so that a signal to
# the script ends it at once (through cleanup) instead of after the command's own end.
run_bounded() { # <seconds> <output file> <command...>
	local secs=$1 out=$2 pid rc=0
	shift 2
	timeout --kill-after=10 "$secs" "$@" >"$out" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	wait "$pid" || rc=$?
	forget_pid "$pid"
	return "$rc"
}

psql_q() { psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "${2:-postgres}" -Atc "$1"; }

# The command as given, with the parameters set in the environment in front of it; call before
# set_defaults, and record_command after it (which knows RESULTS_DIR).
COMMAND_LINE=""
capture_command() {
	local name prefix=""
	for name in "${BENCH_PARAMS[@]}"; do
		case "$name" in RESULTS_DIR | BUILD | NO_REPORT) continue ;; esac
		[[ -n "${!name+x}" ]] && prefix+="$name=$(printf '%q' "${!name}") "
	done
	COMMAND_LINE="$prefix$(printf '%q ' "$@")"
}
record_command() {
	# A piece started by run-all.sh is part of run-all's command.
	[[ -n "${BENCH_PARENT:-}" ]] && return 0
	printf '%s\n' "${COMMAND_LINE% }" >>"$RESULTS_DIR/commands.txt"
}

# The parameters as KEY=VALUE; whether each measurement is of the issue's size (a smoke run if
# not); and what of the issue's set the run leaves out (a partial run: modes, scenarios, ceilings).
write_config() {
	local piece=$1 out="$RESULTS_DIR/config-$1.env" name deviations=() partial=()
	: >"$out"
	for name in "${BENCH_PARAMS[@]}"; do
		printf '%s=%s\n' "$name" "${!name-}" >>"$out"
	done
	case "$piece" in
		load | sweep)
			[[ "$DURATION" == 30 ]] || deviations+=("DURATION=$DURATION (issue: 30)")
			[[ "$STEADY_CONNS" == 100 ]] || deviations+=("STEADY_CONNS=$STEADY_CONNS (issue: 100)")
			[[ "$OVERLOAD_CONNS" == 1000 ]] || deviations+=("OVERLOAD_CONNS=$OVERLOAD_CONNS (issue: 1000)")
			;;&
		load)
			[[ -z "$POOL_MAX" ]] || deviations+=("POOL_MAX=$POOL_MAX (issue: the modes' own sizes)")
			[[ "$SLOWMIX_CONNS" == 100 ]] || deviations+=("SLOWMIX_CONNS=$SLOWMIX_CONNS (issue: 100)")
			local mode
			for mode in no-pool boot-default db-pool db-pool-oltp; do
				[[ " $MODES " == *" $mode "* ]] || partial+=("MODES without $mode")
			done
			[[ "$SCENARIOS" == "steady overload slow-mix" ]] || partial+=("SCENARIOS=$SCENARIOS")
			[[ "$CEILINGS" == 1 ]] || partial+=("CEILINGS=$CEILINGS")
			;;
		sweep) [[ "$SIZES" == "2 4 8 16 32 64" ]] || deviations+=("SIZES=$SIZES (issue: 2 4 8 16 32 64)") ;;
		jmh)
			[[ "$JMH_THREADS" == "1 2 8" ]] || deviations+=("JMH_THREADS=$JMH_THREADS (issue: 1 2 8)")
			[[ -z "$JMH_ARGS" ]] || deviations+=("JMH_ARGS=$JMH_ARGS")
			[[ "$JMH_POOL" == 20 ]] || deviations+=("JMH_POOL=$JMH_POOL (db-pool's default: 20)")
			;;
	esac
	if ((${#deviations[@]} == 0)); then
		printf 'ISSUE_SIZED=yes\nDEVIATIONS=\n' >>"$out"
	else
		printf 'ISSUE_SIZED=no\nDEVIATIONS=%s\n' "$(IFS=';'; printf '%s' "${deviations[*]}")" >>"$out"
		log "not the issue's full size (a smoke run): ${deviations[*]}"
	fi
	printf 'PARTIAL=%s\n' "$(IFS=';'; printf '%s' "${partial[*]}")" >>"$out"
	((${#partial[@]} == 0)) || log "not all of the issue's set (a partial run): ${partial[*]}"
}

describe_machine() {
	local dir="$RESULTS_DIR/machine"
	[[ -f "$dir/nproc.txt" ]] && return 0
	mkdir -p "$dir"
	nproc >"$dir/nproc.txt"
	free -g >"$dir/free.txt"
	{ grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || true; } >"$dir/cpu.txt"
	"$JAVA" -version >"$dir/java.txt" 2>&1 || true
	psql_q 'select version()' >"$dir/postgres.txt" 2>&1 || true
	psql_q 'show max_connections' >"$dir/max_connections.txt" 2>&1 || true
	psql_q 'show superuser_reserved_connections' >"$dir/superuser_reserved_connections.txt" 2>&1 || true
	uname -r >"$dir/uname.txt"
	{ wrk --version 2>&1 | head -n 1 || true; } >"$dir/wrk.txt"
	{ pgbench --version 2>&1 || true; } >"$dir/pgbench.txt"
	(cd "$REPO_ROOT" && git rev-parse --short HEAD 2>/dev/null && git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo dirty) \
		>"$dir/git.txt" 2>/dev/null || true
}

ensure_wrk() {
	command -v wrk >/dev/null 2>&1 && return 0
	log "wrk is not installed: installing the Debian package 'wrk' (apt-get install -y wrk)"
	local sudo=""
	((EUID == 0)) || sudo="sudo"
	$sudo apt-get install -y wrk >"$LOGS/apt-wrk.log" 2>&1 ||
		{ $sudo apt-get update >>"$LOGS/apt-wrk.log" 2>&1 && $sudo apt-get install -y wrk >>"$LOGS/apt-wrk.log" 2>&1; } ||
		die "could not install wrk (see $LOGS/apt-wrk.log); install it with: apt-get install -y wrk"
	log "wrk installed: $(wrk --version 2>&1 | head -n 1)"
}

ensure_tools() {
	local tool
	for tool in psql pgbench curl timeout "$JAVA"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
	done
	psql_q 'select 1' >/dev/null || die "PostgreSQL does not answer on $PGHOST:$PGPORT as $PGUSER"
}

ensure_ulimit() {
	local need=$((${1:-0} + 1024)) soft
	soft=$(ulimit -n)
	if [[ "$soft" != unlimited ]] && ((soft < need)); then
		ulimit -n "$need" 2>/dev/null || die "ulimit -n is $soft; $need open files are needed (raise it)"
		log "raised ulimit -n from $soft to $need"
	fi
}

build_jars() {
	if [[ "$BUILD" == 1 || ! -f "$APP_JAR" || ! -f "$BENCH_JAR" ]]; then
		log "building the sample app and the benchmarks (./mvnw -B -q -pl sample-app,benchmarks -am package -DskipTests)"
		(cd "$REPO_ROOT" && ./mvnw -B -q -pl sample-app,benchmarks -am package -DskipTests) >"$LOGS/build.log" 2>&1 ||
			{ tail -n 40 "$LOGS/build.log" >&2; die "build failed (see $LOGS/build.log)"; }
	fi
}

# The sample app's jar alone (BUILD=1, or no jar yet), the build's output to <log file>.
build_app() { # <log file>
	if [[ "$BUILD" == 1 || ! -f "$APP_JAR" ]]; then
		log "building the sample app (./mvnw -B -q -pl sample-app -am package -DskipTests)"
		(cd "$REPO_ROOT" && ./mvnw -B -q -pl sample-app -am package -DskipTests) >"$1" 2>&1 ||
			{ tail -n 40 "$1" >&2; die "build failed (see $1)"; }
	fi
}

ensure_database() {
	if [[ "$(psql_q "select 1 from pg_database where datname = '$DB'")" != 1 ]]; then
		log "creating database $DB"
		createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
	fi
}

ensure_pgbench_tables() {
	if [[ "$(psql_q "select to_regclass('pgbench_accounts') is not null" "$DB")" != t ]]; then
		log "initialising pgbench tables in $DB (pgbench -i -s $PGBENCH_SCALE)"
		run_bounded 600 "$LOGS/pgbench-init.log" pgbench -i -q -s "$PGBENCH_SCALE" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB" ||
			die "pgbench -i failed (see $LOGS/pgbench-init.log)"
	fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
# Whether something listens on a port of 127.0.0.1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The backends connected to the benchmark database, and to the whole server, now.
connection_counts() {
	psql_q "select count(*) filter (where datname = '$DB'), count(*) from pg_stat_activity
		where backend_type = 'client backend' and pid <> pg_backend_pid()" 2>/dev/null | tr '|' ' '
}

# Wait (bounded) until the previous app's connections to the benchmark database are gone.
wait_db_idle() {
	local i
	for ((i = 0; i < 60; i++)); do
		[[ "$(connection_counts | cut -d' ' -f1)" == 0 ]] && return 0
		sleep 0.5
	done
	log "connections to $DB still open after 30s; going on"
}

APP_PID=""
start_app() { # <log file> <java> <app args...>
	launch_app "$@"
	await_app "$APP_PID" "$1"
}

# Start the app on PORT (connecting to JDBC_URL as APP_USER) without waiting for it; its pid in
# APP_PID. With await_app, several apps start at once (benchmarks/pooler/run.sh's fleet).
launch_app() { # <log file> <java> <app args...>
	local logf=$1 java=$2
	shift 2
	port_free || die "port $PORT is in use; set PORT=... to a free one"
	# shellcheck disable=SC2086 # APP_JAVA_OPTS and APP_ARGS are word lists
	"$java" $APP_JAVA_OPTS -jar "$APP_JAR" --server.port="$PORT" --spring.datasource.url="$JDBC_URL" \
		--spring.datasource.username="${APP_USER:-$PGUSER}" "$@" $APP_ARGS >"$logf" 2>&1 &
	APP_PID=$!
	BG_PIDS+=("$APP_PID")
}

# Wait (bounded) until the app of <pid> on PORT answers /ping and a key lookup.
await_app() { # <pid> <log file>
	local pid=$1 logf=$2 deadline status
	deadline=$((SECONDS + APP_START_TIMEOUT))
	until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/ping" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$logf" >&2
			die "the app exited during start-up (see $logf)"
		fi
		((SECONDS < deadline)) || die "the app did not answer /ping within ${APP_START_TIMEOUT}s (see $logf)"
		sleep 0.5
	done
	status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/customers/1" || true)
	[[ "$status" == 200 ]] || die "GET /customers/1 answered $status after start-up (see $logf)"
}

RSS_PEAK_KB=0
stop_app() {
	RSS_PEAK_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$APP_PID/status" 2>/dev/null || echo 0)
	stop_pid "$APP_PID" 60
	forget_pid "$APP_PID"
	APP_PID=""
}

SAMPLER_PID=""
start_sampler() { # <out file> <max seconds>
	local out=$1 max=$(($2 * 2 + 10))
	: >"$out"
	(
		for ((i = 0; i < max; i++)); do
			counts=$(connection_counts) && [[ -n "$counts" ]] || counts="miss"
			echo "$counts" >>"$out"
			sleep 0.5
		done
	) &
	SAMPLER_PID=$!
	BG_PIDS+=("$SAMPLER_PID")
}
# The samples' peaks: "<to the benchmark database> <to the server> <samples missed> <samples>".
connection_peaks() { # <samples file>
	awk '$1 == "miss" { m++; next } { if ($1 > a) a = $1; if ($2 > b) b = $2 } END { print a + 0, b + 0, m + 0, NR }' "$1"
}
stop_sampler() {
	stop_pid "$SAMPLER_PID" 5
	forget_pid "$SAMPLER_PID"
	SAMPLER_PID=""
}

run_wrk() { # <out json> <connections> <seconds> <script args...>
	start_wrk "$@"
	finish_wrk "$WRK_PID" "$1"
}

# wrk on PORT in the background (bounded to its duration + 30 s), its pid in WRK_PID; finish_wrk
# waits for it. Several at once load several apps (benchmarks/pooler/run.sh's fleet).
WRK_PID=""
start_wrk() { # <out json> <connections> <seconds> <script args...>
	local out=$1 conns=$2 secs=$3 threads=$WRK_THREADS
	shift 3
	((conns < threads)) && threads=$conns
	timeout --kill-after=10 $((secs + 30)) env WRK_JSON_OUT="$out" \
		wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout "$WRK_TIMEOUT" --latency -s "$LUA" \
		"http://127.0.0.1:$PORT" -- "$@" >"${out%.json}.txt" 2>&1 &
	WRK_PID=$!
	BG_PIDS+=("$WRK_PID")
}
finish_wrk() { # <pid> <out json>
	local rc=0
	wait "$1" || rc=$?
	forget_pid "$1"
	((rc == 0)) || log "wrk exited with status $rc (see ${2%.json}.txt)"
	[[ -s "$2" ]] || log "wrk wrote no summary to $2"
}

scenario_conns() {
	case "$1" in
		steady) echo "$STEADY_CONNS" ;;
		overload) echo "$OVERLOAD_CONNS" ;;
		slow-mix) echo "$SLOWMIX_CONNS" ;;
		db-work) echo "${DBWORK_CONNS:?db-work needs DBWORK_CONNS (benchmarks/sizing/run.sh)}" ;;
		*) die "unknown scenario '$1' (steady, overload, slow-mix, db-work)" ;;
	esac
}
scenario_script_args() {
	case "$1" in
		steady | overload) echo "keylookup $MAX_ID" ;;
		slow-mix) echo "slowmix $MAX_ID $SLOW_PERCENT $SLOW_HOLD_MS" ;;
		db-work) echo "dbwork ${DBWORK_LOOPS:?db-work needs DBWORK_LOOPS (benchmarks/sizing/run.sh)}" ;;
	esac
}

min() { (($1 < $2)) && echo "$1" || echo "$2"; }

# The app's arguments for a mode. A later feature adds a mode by defining MODE_ARGS_<name>, e.g.
# MODE_ARGS_db_pool_capped="--app.db.pool.max-waiting=50" and MODES="... db-pool-capped" (and, to
# run it on another JVM than JAVA, MODE_JAVA_<name>, see mode_java).
mode_args() {
	local mode=$1 var
	case "$mode" in
		no-pool) echo "--spring.profiles.active=no-pool" ;;
		boot-default)
			# Everything of db-pool's off; the sample's readiness group then names only
			# Spring Boot's own indicator, as without the starter.
			echo "--app.db.pool.enabled=false --app.db.pool.monitor.enabled=false" \
				"--app.db.pool.metrics.enabled=false --app.db.pool.metrics.acquire-percentiles=false" \
				"--app.db.pool.shutdown.enabled=false --app.db.pool.web.enabled=false" \
				"--management.endpoint.health.group.readiness.include=readinessState" \
				"${POOL_MAX:+--spring.datasource.hikari.maximum-pool-size=$POOL_MAX}"
			;;
		db-pool)
			[[ -z "$POOL_MAX" ]] || echo "--app.db.pool.max-connections=$POOL_MAX --app.db.pool.min-connections=$(min 5 "$POOL_MAX")"
			;;
		db-pool-virtual)
			# db-pool's defaults with Tomcat's requests on virtual threads (on a JDK 25, mode_java).
			echo "--spring.threads.virtual.enabled=true" \
				"${POOL_MAX:+--app.db.pool.max-connections=$POOL_MAX --app.db.pool.min-connections=$(min 5 "$POOL_MAX")}"
			;;
		db-pool-oltp)
			echo "--app.db.pool.profile=oltp" \
				"${POOL_MAX:+--app.db.pool.max-connections=$POOL_MAX --app.db.pool.min-connections=$(min 10 "$POOL_MAX")}"
			;;
		*)
			var="MODE_ARGS_$(printf '%s' "$mode" | tr -c 'A-Za-z0-9\n' '_')"
			[[ -n "${!var+x}" ]] || die "unknown mode '$mode': define $var with its app arguments"
			echo "${!var}"
			;;
	esac
}

# The java command a mode's app runs on: a JDK 25 for db-pool-virtual (java_25), MODE_JAVA_<name>
# where defined (a JDK's directory or its java), else JAVA.
mode_java() { # <mode>
	local mode=$1 var
	if [[ "$mode" == db-pool-virtual ]]; then
		java_25 "$mode"
		return
	fi
	var="MODE_JAVA_$(printf '%s' "$mode" | tr -c 'A-Za-z0-9\n' '_')"
	if [[ -n "${!var:-}" ]]; then
		java_of "${!var}" || die "$var=${!var} is not a java command nor a JDK's directory"
	else
		echo "$JAVA"
	fi
}

# The java of a JDK's directory, or the command as given; fails if it does not run.
java_of() { # <JDK directory or java command>
	local java=$1
	[[ -d "$java" ]] && java="$java/bin/java"
	"$java" -version >/dev/null 2>&1 || return 1
	echo "$java"
}

is_java_25() { [[ "$("$1" -version 2>&1)" == *'version "25'* ]]; }

# A JDK 25's java, found as .ci/run finds one: JAVA_25 if set, else Temurin's where these
# machines have it, else any JDK in /usr/lib/jvm that says it is 25. Never another JDK instead.
java_25() { # <mode that needs it>
	local candidate java
	if [[ -n "$JAVA_25" ]]; then
		java=$(java_of "$JAVA_25") ||
			die "mode $1 needs a JDK 25, and JAVA_25=$JAVA_25 is neither a JDK's directory nor a java command that runs"
		is_java_25 "$java" || die "mode $1 needs a JDK 25, and JAVA_25=$JAVA_25 is $("$java" -version 2>&1 | head -n 1)"
		echo "$java"
		return
	fi
	for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
		if [[ -x "$candidate/bin/java" ]] && is_java_25 "$candidate/bin/java"; then
			echo "$candidate/bin/java"
			return
		fi
	done
	die "mode $1 runs on a JDK 25, and none was found (looked for /usr/lib/jvm/temurin-25-jdk-amd64, then any" \
		"/usr/lib/jvm/*25* whose java -version says 25). Get one (Temurin 25 from https://adoptium.net, unpacked to" \
		"/usr/lib/jvm/temurin-25-jdk-amd64, or Adoptium's apt repository: apt-get install temurin-25-jdk), or point" \
		"JAVA_25 at a JDK 25's directory; or leave $1 out of MODES"
}

# The first two lines of a java's -version, on one line.
java_version() { # <java>
	"$1" -version 2>&1 | awk 'NR <= 2 { sub(/^ +/, ""); printf "%s%s", (NR > 1) ? " / " : "", $0 } END { print "" }'
}

# The pool size a started app reports (db-pool's start-up line), else what the mode implies. The
# first number only: the connection budget's line also names the largest safe max-connections.
pool_max_of() { # <mode> <app log>
	local line
	line=$(grep -m1 -o "max-connections [0-9]*" "$2" 2>/dev/null | awk 'NR == 1 { print $2 }' || true)
	if [[ -n "$line" ]]; then
		echo "$line"
	elif [[ "$1" == no-pool ]]; then
		echo none
	elif [[ "$1" == boot-default ]]; then
		echo "${POOL_MAX:-10}"
	else
		echo unknown
	fi
}

TOO_MANY='too many clients|too many connections|remaining connection slots are reserved'

server_log_file() { ls -1 /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -n 1 || true; }
server_log_lines() {
	local f
	f=$(server_log_file)
	if [[ -n "$f" && -r "$f" ]]; then wc -l <"$f"; else echo -1; fi
}
server_log_too_many_since() { # <line count before>
	local f
	f=$(server_log_file)
	if [[ "$1" -lt 0 || -z "$f" || ! -r "$f" ]]; then
		echo unknown
		return
	fi
	tail -n +"$(($1 + 1))" "$f" | grep -c -E "$TOO_MANY" || true
}

# One measured run: start the app with a mode's arguments, warm it up, load it for DURATION
# seconds while sampling the server's connections, stop it, and record everything in <dir>.
measure() { # <dir> <mode> <scenario> <app args...>
	local dir=$1 mode=$2 scenario=$3 conns logf log_before srv_before peaks java java_ver
	shift 3
	conns=$(scenario_conns "$scenario")
	java=$(mode_java "$mode")
	java_ver=$(java_version "$java")
	mkdir -p "$dir"
	logf="$LOGS/$(echo "${dir#"$RAW"/}" | tr '/' '-').log"
	wait_db_idle
	local baseline
	baseline=$(connection_counts | cut -d' ' -f2)
	log "$mode / $scenario: starting the app on $java ($java_ver)"
	start_app "$logf" "$java" "$@"
	if ((WARMUP > 0)); then
		log "$mode / $scenario: warm-up, ${WARMUP}s at $(min "$STEADY_CONNS" "$conns") connections"
		run_wrk "$dir/warmup.json" "$(min "$STEADY_CONNS" "$conns")" "$WARMUP" keylookup "$MAX_ID"
	fi
	log_before=$(wc -l <"$logf")
	srv_before=$(server_log_lines)
	log "$mode / $scenario: ${DURATION}s at $conns connections"
	start_sampler "$dir/connections.txt" "$DURATION"
	# shellcheck disable=SC2046 # the script arguments are a word list
	run_wrk "$dir/wrk.json" "$conns" "$DURATION" $(scenario_script_args "$scenario")
	stop_sampler
	local app_too_many
	app_too_many=$(tail -n +"$((log_before + 1))" "$logf" | grep -c -E "$TOO_MANY" || true)
	local pool_max
	pool_max=$(pool_max_of "$mode" "$logf")
	stop_app
	peaks=$(connection_peaks "$dir/connections.txt")
	cat >"$dir/meta.env" <<-META
		mode=$mode
		scenario=$scenario
		connections=$conns
		duration_s=$DURATION
		app_args=$* $APP_ARGS
		java=$java
		java_version=$java_ver
		pool_max=$pool_max
		peak_db_connections=$(echo "$peaks" | cut -d' ' -f1)
		peak_server_connections=$(echo "$peaks" | cut -d' ' -f2)
		server_connections_before=$baseline
		connection_samples=$(echo "$peaks" | cut -d' ' -f4)
		connection_samples_missed=$(echo "$peaks" | cut -d' ' -f3)
		peak_rss_kb=$RSS_PEAK_KB
		app_log_too_many_clients=$app_too_many
		server_log_too_many_clients=$(server_log_too_many_since "$srv_before")
		app_log=${logf#"$RESULTS_DIR"/}
	META
	log "$mode / $scenario: done (peak connections to $DB: $(echo "$peaks" | cut -d' ' -f1), 'too many clients' in the app log: $app_too_many)"
	sleep 2
}

run_report() {
	if [[ "$NO_REPORT" == 1 ]]; then
		return 0
	fi
	"$BENCH_HOME/report.sh" "$RESULTS_DIR"
}

# A JSON number of a Spring Boot metrics endpoint answer, e.g. hikaricp.connections's VALUE: the one of
# <statistic> (e.g. COUNT of a timer), else the last the answer lists. <name> may end in ?tag=key:value.
metric() { # <name> [<statistic>]
	{ curl -s --max-time 5 "http://127.0.0.1:$PORT/actuator/metrics/$1" 2>/dev/null || true; } |
		sed -n "s/.*\"statistic\":\"${2:-[A-Z_]*}\",\"value\":\([0-9.E+-]*\).*/\1/p" | head -n 1
}

# --- the machine's other work ----------------------------------------------------------------------------

# On a shared machine, what other work took of the cores during a run is part of its result: the CPU
# time of every process that is neither this script's (nor a descendant of it) nor PostgreSQL's, as
# "<epoch ms> <ticks>" (processes that end between two snapshots are missed: a lower bound).
others_cpu_snapshot() {
	local f line pid ppid rest ticks=0
	declare -A parent=() cpu=() skip=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) }
		# After the command: state ppid ... utime (12th) stime (13th).
		read -r _ ppid _ _ _ _ _ _ _ _ _ utime stime _ <<<"$rest"
		parent[$pid]=$ppid
		cpu[$pid]=$((utime + stime))
		[[ "$line" == *"(postgres)"* ]] && skip[$pid]=1
	done
	for pid in "${!cpu[@]}"; do
		[[ -n "${skip[$pid]:-}" ]] && continue
		ppid=$pid
		while [[ -n "$ppid" && "$ppid" != 0 && "$ppid" != 1 && "$ppid" != "$$" ]]; do ppid=${parent[$ppid]:-}; done
		[[ "$ppid" == "$$" ]] || ticks=$((ticks + cpu[$pid]))
	done
	echo "$(date +%s%3N) $ticks"
}
# The share of the machine's cores (in %) the others took between two snapshots.
others_cpu_percent() { # <snapshot at start> <snapshot at end>
	awk -v s="$1" -v e="$2" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" 'BEGIN {
		split(s, a, " "); split(e, b, " "); secs = (b[1] - a[1]) / 1000
		if (secs <= 0) { print "n/a"; exit }
		d = b[2] - a[2]; if (d < 0) d = 0
		printf "%.0f\n", d / hz / secs / cores * 100 }'
}

# The CPU ticks (user + system, with those of reaped children) of each process tree named by its root pid,
# then those the whole machine was busy (all cores, /proc/stat), as "<epoch ms> <ticks root 1> ... <busy>".
# Between two snapshots, cpu_percent turns a column into a share of the machine's cores.
cpu_snapshot() { # <root pid>...
	local f line pid rest ppid utime stime cutime cstime root p out
	declare -A parent=() cpu=() total=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) }
		read -r _ ppid _ _ _ _ _ _ _ _ _ utime stime cutime cstime _ <<<"$rest"
		parent[$pid]=$ppid
		cpu[$pid]=$((utime + stime + cutime + cstime))
	done
	for root in "$@"; do total[$root]=0; done
	for pid in "${!cpu[@]}"; do
		p=$pid
		while [[ -n "$p" && "$p" != 0 && "$p" != 1 && -z "${total[$p]+x}" ]]; do p=${parent[$p]:-}; done
		[[ -n "$p" && -n "${total[$p]+x}" ]] && total[$p]=$((total[$p] + cpu[$pid]))
	done
	out="$(date +%s%3N)"
	for root in "$@"; do out+=" ${total[$root]}"; done
	read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
	echo "$out $((user + nice + system + irq + softirq + steal))"
}
# Column <n> (1: the first root) of two cpu_snapshot lines as a share of the machine's cores, in %.
cpu_percent() { # <snapshot at start> <snapshot at end> <n>
	awk -v s="$1" -v e="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" 'BEGIN {
		split(s, a, " "); split(e, b, " "); secs = (b[1] - a[1]) / 1000
		if (secs <= 0) { print "n/a"; exit }
		d = b[n + 1] - a[n + 1]; if (d < 0) d = 0
		printf "%.0f\n", d / hz / secs / cores * 100 }'
}

# The list rotated by <n> places, so each repetition starts with another variant.
rotate() { # <n> <items...>
	local n=$1
	shift
	local items=("$@") count=$#
	for ((k = 0; k < count; k++)); do echo "${items[$(((k + n) % count))]}"; done
}
