#!/usr/bin/env bash
# db-pool behind PgBouncer: three measurements, each repeated REPEATS times (the order rotated from one
# repetition to the next, so that drift of the machine favours no variant), in one results folder with
# raw/ and a summary.md of medians and spread.
#
#   benchmarks/pooler/run.sh                    # full size: about 23 minutes on 2 cores
#   benchmarks/pooler/run.sh --smoke            # every part, small and short (about 3 minutes)
#   PARTS="fleet" benchmarks/pooler/run.sh      # one part (hop, fleet, setlocal)
#
# hop:      the cost of the pooler hop on one instance: the sample app (db-pool's defaults) under
#           HOP_CONNS wrk connections of key lookups, direct to PostgreSQL (with and without server-side
#           prepared statements), through PgBouncer in session mode, and in transaction mode.
# fleet:    FLEET_INSTANCES apps at once (FLEET_JAVA_OPTS each), FLEET_CONNS wrk connections against each,
#           direct to PostgreSQL (FLEET_POOL connections each) and through one PgBouncer in transaction
#           mode with FLEET_PGBOUNCER_POOL server connections for the whole fleet; peak server backends
#           sampled every 0.5 s.
# setlocal: pgbench through PgBouncer in transaction mode: the timeouts held by the role's settings
#           against SET LOCAL in every transaction (and one set_config() statement), simple and extended
#           protocol.
#
# Every parameter is an environment variable or a flag (--fleet-conns=100); see benchmarks/README.md
# ("Behind PgBouncer"). The app connects as its own role BENCH_ROLE (created if missing, with the
# timeouts as its settings in DB only) to its own database DB (created if missing, owned by the role):
# nothing of the server's own configuration changes. Everything runs on 127.0.0.1; every process started
# here (apps, PgBouncer, wrk, pgbench, samplers) is ended on exit, whatever the exit.
# Writes benchmarks/results/pooler-<UTC timestamp>/ (or RESULTS_DIR): summary.md, raw/, machine/,
# commands.txt, config.env, and logs/ (not committed).
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh" || exit 1
POOLER_PARAMS=(PARTS REPEATS HOP_MODES HOP_CONNS HOP_DURATION HOP_PGBOUNCER_POOL FLEET_INSTANCES FLEET_CONNS FLEET_POOL
	FLEET_PGBOUNCER_POOL FLEET_JAVA_OPTS FLEET_WRK_THREADS FLEET_SLOT_MARGIN FLEET_POOLER_MODE PGBENCH_DURATION PGBENCH_CLIENTS PGBENCH_THREADS
	BENCH_ROLE PGBOUNCER PGBOUNCER_PORT)
BENCH_PARAMS+=("${POOLER_PARAMS[@]}")
capture_command benchmarks/pooler/run.sh "$@"
args=()
SMOKE=0
for arg in "$@"; do
	if [[ "$arg" == --smoke ]]; then
		SMOKE=1
		: "${DURATION:=3}" "${HOP_DURATION:=3}" "${WARMUP:=2}" "${REPEATS:=1}" "${HOP_CONNS:=10}" "${FLEET_CONNS:=20}"
		: "${FLEET_POOL:=4}" "${FLEET_PGBOUNCER_POOL:=4}" "${PGBENCH_DURATION:=2}"
	else
		args+=("$arg")
	fi
done
parse_flags "${args[@]+"${args[@]}"}"
: "${PARTS:=hop fleet setlocal}"
: "${REPEATS:=3}"
: "${HOP_MODES:=direct direct-unprepared pgbouncer-session pgbouncer-transaction}"
: "${HOP_CONNS:=100}"              # wrk connections in hop (the load benchmark's steady)
: "${HOP_DURATION:=20}"           # seconds of each measured hop run (DURATION is the fleet's)
: "${HOP_PGBOUNCER_POOL:=30}"      # PgBouncer's default_pool_size in hop: above the app's 20, never the limit
: "${FLEET_INSTANCES:=4}"
: "${FLEET_CONNS:=250}"            # wrk connections against each instance
: "${FLEET_POOL:=20}"              # max-connections of each instance (lowered in the direct case if the server has too few slots)
: "${FLEET_PGBOUNCER_POOL:=20}"    # PgBouncer's default_pool_size: server connections for the whole fleet
: "${FLEET_JAVA_OPTS:=-Xmx256m}"
: "${FLEET_WRK_THREADS:=1}"        # threads of each of the fleet's wrk processes
: "${FLEET_SLOT_MARGIN:=8}"        # server slots the direct fleet leaves free for others (samplers, psql, other clients)
: "${FLEET_POOLER_MODE:=pgbouncer-transaction}" # app.db.pool.pooler.mode of the fleet behind PgBouncer (auto: let each app find it)
: "${PGBENCH_DURATION:=20}"
: "${PGBENCH_CLIENTS:=8}"
: "${PGBENCH_THREADS:=2}"
: "${BENCH_ROLE:=dbpool_bench}"
: "${PGBOUNCER:=/usr/sbin/pgbouncer}"
: "${PGBOUNCER_PORT:=16432}"       # the first port tried for PgBouncer
: "${DB:=dbpool_bench_pooler}"
# A smoke run's folder is not kept by git (.gitignore keeps pooler-*/ only).
if [[ "$SMOKE" == 1 ]]; then
	: "${RESULTS_DIR:=$BENCH_HOME/results/smoke-pooler-$(date -u +%Y%m%dT%H%M%SZ)}"
else
	: "${RESULTS_DIR:=$BENCH_HOME/results/pooler-$(date -u +%Y%m%dT%H%M%SZ)}"
fi
export RESULTS_DIR
set_defaults
STEADY_CONNS=$HOP_CONNS # measure()'s scenario steady is hop's load
APP_USER=$BENCH_ROLE
DIRECT_URL=$JDBC_URL
record_command
for name in "${BENCH_PARAMS[@]}"; do printf '%s=%s\n' "$name" "${!name-}"; done >"$RESULTS_DIR/config.env"
echo "SMOKE=$SMOKE" >>"$RESULTS_DIR/config.env"
for part in $PARTS; do
	case "$part" in hop | fleet | setlocal) ;; *) die "unknown part '$part' (hop, fleet, setlocal)" ;; esac
done
for mode in $HOP_MODES; do
	case "$mode" in direct | direct-unprepared | pgbouncer-session | pgbouncer-transaction) ;;
		*) die "unknown hop mode '$mode' (direct, direct-unprepared, pgbouncer-session, pgbouncer-transaction)" ;;
	esac
done
case "$FLEET_POOLER_MODE" in auto | pgbouncer-transaction) ;; *) die "FLEET_POOLER_MODE is auto or pgbouncer-transaction" ;; esac

# PgBouncer's folder (configuration, users) is removed on exit like its process is ended.
TMP_DIRS=()
pooler_cleanup() {
	cleanup
	((${#TMP_DIRS[@]} == 0)) || rm -rf "${TMP_DIRS[@]}"
}
trap pooler_cleanup EXIT

ensure_tools
ensure_wrk
command -v jq >/dev/null 2>&1 || die "jq is not installed (apt-get install -y jq); the summary needs it"
[[ -x "$PGBOUNCER" ]] || die "no PgBouncer at $PGBOUNCER: apt-get install -y pgbouncer, or PGBOUNCER=/path/to/pgbouncer"
if ((EUID == 0)); then
	command -v setpriv >/dev/null 2>&1 || die "setpriv (util-linux) is needed to start PgBouncer as nobody"
fi
describe_machine
"$PGBOUNCER" --version 2>&1 | head -n 1 >"$RESULTS_DIR/machine/pgbouncer.txt"
ensure_ulimit $((FLEET_INSTANCES * FLEET_CONNS))
BUILD_SAVED=$BUILD
build_app "$LOGS/build.log"
BUILD=$BUILD_SAVED

# The benchmark's own role and database; the timeouts db-pool is configured with (its defaults, and
# the lock_timeout of the SET LOCAL script) are the role's settings in that database only.
ROLE_SETTINGS=("statement_timeout = '30s'" "idle_in_transaction_session_timeout = '5min'" "lock_timeout = '2s'")
if [[ "$(psql_q "select 1 from pg_roles where rolname = '$BENCH_ROLE'")" != 1 ]]; then
	log "creating role $BENCH_ROLE (LOGIN, no other privilege)"
	psql_q "CREATE ROLE \"$BENCH_ROLE\" LOGIN" >/dev/null
fi
if [[ "$(psql_q "select 1 from pg_database where datname = '$DB'")" != 1 ]]; then
	log "creating database $DB owned by $BENCH_ROLE"
	createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -O "$BENCH_ROLE" "$DB"
fi
for setting in "${ROLE_SETTINGS[@]}"; do
	psql_q "ALTER ROLE \"$BENCH_ROLE\" IN DATABASE \"$DB\" SET $setting" >/dev/null
done
psql_q "select coalesce(string_agg(array_to_string(setconfig, ', '), '; '), 'none') from pg_db_role_setting s
	join pg_roles r on r.oid = s.setrole join pg_database d on d.oid = s.setdatabase
	where r.rolname = '$BENCH_ROLE' and d.datname = '$DB'" >"$RESULTS_DIR/machine/role-settings.txt"
psql_q "select rolname from pg_roles where rolname = '$BENCH_ROLE' and not rolsuper" >/dev/null

log "results: $RESULTS_DIR"

# --- PgBouncer -------------------------------------------------------------------------------------

PGB_PID="" PGB_PORT="" PGB_DIR=""
# Start PgBouncer on a free loopback port with a generated configuration (copied to <config copy>),
# its log to <log>; trust authentication for postgres (admin) and BENCH_ROLE. As root it runs as
# nobody, since PgBouncer refuses to run as root.
start_pgbouncer() { # <config copy> <log> <setting = value>...
	local copy=$1 logf=$2 setting deadline
	shift 2
	PGB_DIR=$(mktemp -d /tmp/dbpool-bench-pgbouncer.XXXXXX)
	TMP_DIRS+=("$PGB_DIR")
	chmod 755 "$PGB_DIR"
	PGB_PORT=$PGBOUNCER_PORT
	while port_open "$PGB_PORT"; do
		PGB_PORT=$((PGB_PORT + 1))
		((PGB_PORT < PGBOUNCER_PORT + 100)) || die "no free port in $PGBOUNCER_PORT..$((PGBOUNCER_PORT + 99)) for PgBouncer"
	done
	printf '"postgres" ""\n"%s" ""\n' "$BENCH_ROLE" >"$PGB_DIR/users.txt"
	{
		printf '[databases]\n* = host=%s port=%s\n\n[pgbouncer]\n' "$PGHOST" "$PGPORT"
		printf 'listen_addr = 127.0.0.1\nlisten_port = %s\nunix_socket_dir =\n' "$PGB_PORT"
		printf 'auth_type = trust\nauth_file = %s\nadmin_users = postgres\n' "$PGB_DIR/users.txt"
		printf 'ignore_startup_parameters = extra_float_digits\nmax_client_conn = 500\n'
		for setting in "$@"; do printf '%s\n' "$setting"; done
	} >"$PGB_DIR/pgbouncer.ini"
	chmod 644 "$PGB_DIR/users.txt" "$PGB_DIR/pgbouncer.ini"
	sed "s|$PGB_DIR|<temp dir>|" "$PGB_DIR/pgbouncer.ini" >"$copy"
	if ((EUID == 0)); then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$PGBOUNCER" "$PGB_DIR/pgbouncer.ini" >"$logf" 2>&1 &
	else
		"$PGBOUNCER" "$PGB_DIR/pgbouncer.ini" >"$logf" 2>&1 &
	fi
	PGB_PID=$!
	BG_PIDS+=("$PGB_PID")
	deadline=$((SECONDS + 15))
	until port_open "$PGB_PORT"; do
		kill -0 "$PGB_PID" 2>/dev/null || { cat "$logf" >&2; die "PgBouncer exited at start (see $logf)"; }
		((SECONDS < deadline)) || die "PgBouncer did not listen on $PGB_PORT within 15s (see $logf)"
		sleep 0.2
	done
	log "PgBouncer $(head -n 1 "$RESULTS_DIR/machine/pgbouncer.txt") on 127.0.0.1:$PGB_PORT: $*"
}
stop_pgbouncer() {
	[[ -n "$PGB_PID" ]] || return 0
	stop_pid "$PGB_PID" 10
	forget_pid "$PGB_PID"
	rm -rf "$PGB_DIR"
	PGB_PID="" PGB_PORT="" PGB_DIR=""
}
pgbouncer_url() { echo "jdbc:postgresql://127.0.0.1:$PGB_PORT/$DB"; }

# PgBouncer's SHOW POOLS for DB every second (at most <seconds> + 10), to <out>, the columns named in
# its first line: clients active and waiting for a server connection, server connections, longest wait.
POOLS_COLUMNS="cl_active cl_waiting sv_active sv_idle sv_used maxwait maxwait_us"
POOLS_PID=""
start_pools_sampler() { # <out> <seconds>
	local out=$1 max=$(($2 + 10))
	echo "$POOLS_COLUMNS" >"$out"
	(
		for ((i = 0; i < max; i++)); do
			{ psql -X -q -h 127.0.0.1 -p "$PGB_PORT" -U postgres -d pgbouncer -F ' ' -Ac 'SHOW POOLS' 2>/dev/null || true; } |
				awk -v db="$DB" -v want="$POOLS_COLUMNS" '
					NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; n = split(want, w, " "); next }
					$1 == db { line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? " " : "") $(col[w[k]]); print line; found = 1 }
					END { if (!found) print "miss" }' >>"$out"
			sleep 1
		done
	) &
	POOLS_PID=$!
	BG_PIDS+=("$POOLS_PID")
}
stop_pools_sampler() {
	stop_pid "$POOLS_PID" 5
	forget_pid "$POOLS_PID"
	POOLS_PID=""
}

pooler_line() { grep -m1 -o 'db-pool: .*\(connects to PostgreSQL itself\|connects through a pooler\).*' "$1" | cut -c1-300 || true; }
# What db-pool's pooler mode auto found, from an app's log: auto:none, auto:session, auto:transaction,
# auto:unknown; "set" where the mode was configured.
pooler_mode_of() { # <app log>
	local found
	found=$(grep -m1 -o 'connects through a pooler in [a-z]* mode' "$1" | awk '{ print $6 }' || true)
	if [[ -n "$found" ]]; then
		echo "auto:$found"
	elif grep -q 'connects to PostgreSQL itself' "$1"; then
		echo "auto:none"
	elif grep -q 'could not tell whether a connection pooler' "$1"; then
		echo "auto:unknown"
	else
		echo "set"
	fi
}

# --- hop: one instance, direct / session / transaction ------------------------------------------------

# direct-unprepared is direct with the driver's prepareThreshold=0, as db-pool sets it behind PgBouncer in
# transaction mode: between it and direct, the cost of no server-side prepared statements; between it and
# pgbouncer-transaction, the hop's.
hop_run() { # <repetition> <mode>
	local rep=$1 mode=$2 dir="$RAW/hop/$1/$2" logf
	mkdir -p "$dir"
	JDBC_URL=$DIRECT_URL
	if [[ "$mode" == direct-unprepared ]]; then
		JDBC_URL="$DIRECT_URL?prepareThreshold=0"
	elif [[ "$mode" != direct ]]; then
		start_pgbouncer "$dir/pgbouncer.ini" "$LOGS/hop-$rep-$mode-pgbouncer.log" "pool_mode = ${mode#pgbouncer-}" \
			"default_pool_size = $HOP_PGBOUNCER_POOL"
		JDBC_URL=$(pgbouncer_url)
	fi
	local before
	before=$(others_cpu_snapshot)
	DURATION=$HOP_DURATION measure "$dir" "$mode" steady
	logf="$LOGS/hop-$rep-$mode.log"
	{
		echo "others_cpu_percent=$(others_cpu_percent "$before" "$(others_cpu_snapshot)")"
		echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "pgbouncer=$([[ "$mode" != pgbouncer-* ]] || echo "pool_mode = ${mode#pgbouncer-}, default_pool_size = $HOP_PGBOUNCER_POOL")"
		echo "pooler_mode=$(pooler_mode_of "$logf")"
		echo "jdbc_url=$JDBC_URL"
		echo "app_user=$APP_USER"
		echo "pooler_line=$(pooler_line "$logf")"
		echo "app_warn_lines=$(grep -c ' WARN ' "$logf" || true)"
		echo "app_error_lines=$(grep -c ' ERROR ' "$logf" || true)"
	} >>"$dir/meta.env"
	stop_pgbouncer
	JDBC_URL=$DIRECT_URL
}

# --- fleet: FLEET_INSTANCES apps, direct vs one PgBouncer in transaction mode ---------------------------

FLEET_MODES=(direct pgbouncer-transaction)
FLEET_DIRECT_POOL=$FLEET_POOL
FLEET_POOL_NOTE=""
# Direct, the fleet holds FLEET_INSTANCES x (max-connections + 1 monitor connection) server backends.
# It must fit in the server's slots for a role without superuser (max_connections -
# superuser_reserved_connections), less what others hold now and FLEET_SLOT_MARGIN for the samplers
# and whoever else uses the server meanwhile.
fleet_direct_pool() {
	local max reserved in_use free fit
	max=$(psql_q 'show max_connections')
	reserved=$(psql_q 'show superuser_reserved_connections')
	in_use=$(connection_counts | cut -d' ' -f2)
	free=$((max - reserved - in_use - FLEET_SLOT_MARGIN))
	fit=$((free / FLEET_INSTANCES - 1))
	echo "max_connections=$max superuser_reserved_connections=$reserved in_use=$in_use" >"$RAW/fleet/server-slots.txt"
	if ((fit < FLEET_POOL)); then
		((fit >= 2)) || die "the server has $free free slots: too few for $FLEET_INSTANCES instances"
		FLEET_DIRECT_POOL=$fit
		FLEET_POOL_NOTE="lowered from $FLEET_POOL: max_connections $max - reserved $reserved - $in_use in use - margin $FLEET_SLOT_MARGIN leaves $free slots for $FLEET_INSTANCES x (max-connections + 1 monitor connection)"
		log "fleet direct: max-connections $fit per instance ($FLEET_POOL_NOTE)"
	else
		FLEET_POOL_NOTE="fits: max_connections $max - reserved $reserved - $in_use in use - margin $FLEET_SLOT_MARGIN leaves $free slots for $FLEET_INSTANCES x ($FLEET_POOL + 1 monitor connection)"
	fi
	echo "direct_pool=$FLEET_DIRECT_POOL" >>"$RAW/fleet/server-slots.txt"
	echo "note=$FLEET_POOL_NOTE" >>"$RAW/fleet/server-slots.txt"
}

fleet_run() { # <repetition> <mode>
	local rep=$1 mode=$2 dir="$RAW/fleet/$1/$2" url=$DIRECT_URL pool=$FLEET_DIRECT_POOL i port pids=() wrks=()
	local logs=() baseline srv_before peaks rss=() too_many=0 pgb_settings="" cpu_before cpu_after
	mkdir -p "$dir"
	wait_db_idle
	baseline=$(connection_counts | cut -d' ' -f2)
	local app_args=(--app.db.pool.instances="$FLEET_INSTANCES")
	if [[ "$mode" != direct ]]; then
		[[ "$FLEET_POOLER_MODE" == auto ]] || app_args+=(--app.db.pool.pooler.mode="$FLEET_POOLER_MODE")
		pgb_settings="pool_mode = transaction, default_pool_size = $FLEET_PGBOUNCER_POOL"
		start_pgbouncer "$dir/pgbouncer.ini" "$LOGS/fleet-$rep-$mode-pgbouncer.log" "pool_mode = transaction" \
			"default_pool_size = $FLEET_PGBOUNCER_POOL"
		url=$(pgbouncer_url)
		pool=$FLEET_POOL
	fi
	app_args+=(--app.db.pool.max-connections="$pool" --app.db.pool.min-connections="$(min 5 "$pool")")
	log "fleet $mode: starting $FLEET_INSTANCES apps (max-connections $pool each, $FLEET_JAVA_OPTS) on $url"
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do
		port=$((PORT + i - 1))
		logs[i]="$LOGS/fleet-$rep-$mode-$i.log"
		PORT=$port JDBC_URL=$url APP_JAVA_OPTS=$FLEET_JAVA_OPTS launch_app "${logs[i]}" "$JAVA" "${app_args[@]}"
		pids[i]=$APP_PID
	done
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do
		PORT=$((PORT + i - 1)) await_app "${pids[i]}" "${logs[i]}"
	done
	if ((WARMUP > 0)); then
		log "fleet $mode: warm-up, ${WARMUP}s at $FLEET_CONNS connections against each"
		for ((i = 1; i <= FLEET_INSTANCES; i++)); do
			PORT=$((PORT + i - 1)) WRK_THREADS=$FLEET_WRK_THREADS start_wrk "$dir/warmup-$i.json" "$FLEET_CONNS" "$WARMUP" keylookup "$MAX_ID"
			wrks[i]=$WRK_PID
		done
		for ((i = 1; i <= FLEET_INSTANCES; i++)); do finish_wrk "${wrks[i]}" "$dir/warmup-$i.json"; done
	fi
	srv_before=$(server_log_lines)
	log "fleet $mode: ${DURATION}s at $FLEET_CONNS connections against each of the $FLEET_INSTANCES"
	cpu_before=$(others_cpu_snapshot)
	start_sampler "$dir/connections.txt" "$DURATION"
	[[ "$mode" == direct ]] || start_pools_sampler "$dir/pgbouncer-pools.txt" "$DURATION"
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do
		PORT=$((PORT + i - 1)) WRK_THREADS=$FLEET_WRK_THREADS start_wrk "$dir/wrk-$i.json" "$FLEET_CONNS" "$DURATION" keylookup "$MAX_ID"
		wrks[i]=$WRK_PID
	done
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do finish_wrk "${wrks[i]}" "$dir/wrk-$i.json"; done
	cpu_after=$(others_cpu_snapshot)
	stop_sampler
	[[ "$mode" == direct ]] || stop_pools_sampler
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do
		rss[i]=$(awk '/^VmHWM:/ { print $2 }' "/proc/${pids[i]}/status" 2>/dev/null || echo 0)
		too_many=$((too_many + $(grep -c -E "$TOO_MANY" "${logs[i]}" || true)))
		kill -TERM "${pids[i]}" 2>/dev/null || true
	done
	for ((i = 1; i <= FLEET_INSTANCES; i++)); do
		stop_pid "${pids[i]}" 60
		forget_pid "${pids[i]}"
	done
	peaks=$(connection_peaks "$dir/connections.txt")
	cat >"$dir/meta.env" <<-META
		mode=$mode
		instances=$FLEET_INSTANCES
		connections_per_instance=$FLEET_CONNS
		duration_s=$DURATION
		jdbc_url=$url
		app_user=$APP_USER
		app_args=${app_args[*]} $APP_ARGS
		app_java_opts=$FLEET_JAVA_OPTS
		pool_max_per_instance=$pool
		pgbouncer=$pgb_settings
		java=$JAVA
		java_version=$(java_version "$JAVA")
		peak_db_connections=$(echo "$peaks" | cut -d' ' -f1)
		peak_server_connections=$(echo "$peaks" | cut -d' ' -f2)
		server_connections_before=$baseline
		connection_samples=$(echo "$peaks" | cut -d' ' -f4)
		connection_samples_missed=$(echo "$peaks" | cut -d' ' -f3)
		peak_rss_kb=${rss[*]:1}
		app_log_too_many_clients=$too_many
		server_log_too_many_clients=$(server_log_too_many_since "$srv_before")
		others_cpu_percent=$(others_cpu_percent "$cpu_before" "$cpu_after")
		loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)
		pooler_line=$(pooler_line "${logs[1]}")
		pooler_modes=$(for ((i = 1; i <= FLEET_INSTANCES; i++)); do pooler_mode_of "${logs[i]}"; done | paste -sd' ' -)
		app_warn_lines=$(cat "${logs[@]:1}" | grep -c ' WARN ' || true)
		app_error_lines=$(cat "${logs[@]:1}" | grep -c ' ERROR ' || true)
	META
	stop_pgbouncer
	log "fleet $mode: done (peak backends to $DB: $(echo "$peaks" | cut -d' ' -f1))"
	sleep 2
}

# --- setlocal: pgbench through PgBouncer in transaction mode -------------------------------------------

SETLOCAL_VARIANTS=(tx-role tx-setlocal tx-set-config autocommit-role)
write_setlocal_scripts() { # <dir>
	local dir=$1
	mkdir -p "$dir"
	printf 'BEGIN;\nSELECT 1;\nCOMMIT;\n' >"$dir/tx-role.sql"
	printf '%s\n' "BEGIN;" "SET LOCAL statement_timeout = '30s';" \
		"SET LOCAL idle_in_transaction_session_timeout = '5min';" "SET LOCAL lock_timeout = '2s';" \
		"SELECT 1;" "COMMIT;" >"$dir/tx-setlocal.sql"
	printf '%s\n' "BEGIN;" "SELECT set_config('statement_timeout', '30s', true), set_config('idle_in_transaction_session_timeout', '5min', true), set_config('lock_timeout', '2s', true);" \
		"SELECT 1;" "COMMIT;" >"$dir/tx-set-config.sql"
	printf 'SELECT 1;\n' >"$dir/autocommit-role.sql"
}

setlocal_run() { # <repetition> <variant> <protocol>
	local rep=$1 variant=$2 protocol=$3 dir="$RAW/setlocal/$1/$2-$3" rc=0 cmd before
	mkdir -p "$dir"
	cmd=(pgbench -n -f "$RAW/setlocal/scripts/$variant.sql" -M "$protocol" -c "$PGBENCH_CLIENTS" -j "$PGBENCH_THREADS"
		-T "$PGBENCH_DURATION" -h 127.0.0.1 -p "$PGB_PORT" -U "$BENCH_ROLE" "$DB")
	printf '%q ' "${cmd[@]}" | sed "s|$RAW/|raw/|; s| *\$||" >"$dir/command.txt"
	echo >>"$dir/command.txt"
	log "setlocal: $variant, -M $protocol, ${PGBENCH_DURATION}s"
	before=$(others_cpu_snapshot)
	run_bounded $((PGBENCH_DURATION + 60)) "$dir/pgbench.txt" "${cmd[@]}" || rc=$?
	((rc == 0)) || log "pgbench exited with status $rc (see $dir/pgbench.txt)"
	printf 'variant=%s\nprotocol=%s\nexit_status=%s\nothers_cpu_percent=%s\nloadavg_after=%s\n' "$variant" "$protocol" \
		"$rc" "$(others_cpu_percent "$before" "$(others_cpu_snapshot)")" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$dir/meta.env"
}

# --- the runs ------------------------------------------------------------------------------------------

started=$SECONDS
for part in $PARTS; do
	case "$part" in
		hop)
			for ((rep = 1; rep <= REPEATS; rep++)); do
				# shellcheck disable=SC2086 # HOP_MODES is a word list
				for mode in $(rotate $((rep - 1)) $HOP_MODES); do hop_run "$rep" "$mode"; done
			done
			;;
		fleet)
			mkdir -p "$RAW/fleet"
			wait_db_idle
			fleet_direct_pool
			for ((rep = 1; rep <= REPEATS; rep++)); do
				for mode in $(rotate $((rep - 1)) "${FLEET_MODES[@]}"); do fleet_run "$rep" "$mode"; done
			done
			;;
		setlocal)
			write_setlocal_scripts "$RAW/setlocal/scripts"
			start_pgbouncer "$RAW/setlocal/pgbouncer.ini" "$LOGS/setlocal-pgbouncer.log" "pool_mode = transaction" \
				"default_pool_size = 20"
			# What a transaction through it gets from the role's settings.
			psql -X -h 127.0.0.1 -p "$PGB_PORT" -U "$BENCH_ROLE" -d "$DB" -Atc \
				"select current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout'), current_setting('lock_timeout')" \
				>"$RAW/setlocal/role-timeouts-through-pgbouncer.txt"
			for ((rep = 1; rep <= REPEATS; rep++)); do
				for variant in $(rotate $((rep - 1)) "${SETLOCAL_VARIANTS[@]}"); do
					for protocol in simple extended; do setlocal_run "$rep" "$variant" "$protocol"; done
				done
			done
			stop_pgbouncer
			;;
	esac
done
log "all pooler benchmarks done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
echo "$((SECONDS - started))" >"$RESULTS_DIR/wall-seconds.txt"
"$BENCH_HOME/pooler/summary.sh" "$RESULTS_DIR"
