#!/usr/bin/env bash
# db-pool with a read replica: a read-heavy load (READ_PERCENT % GET /customers/<id>/order-summary, a
# read-only transaction; the rest POST /orders) on the sample app's packaged jar, without a replica (all
# to the primary) and with one (DATABASE_REPLICA_URL set: the summaries go to the standby), each REPEATS
# times, alternating; then summary.sh writes SUMMARY.md (median and spread).
#
#   benchmarks/replicas/run.sh                       # 2 x 3 runs of 20 s: about 7 minutes
#   REPEATS=5 CONNS=32 benchmarks/replicas/run.sh
#   benchmarks/replicas/run.sh --smoke               # 1 run of each, 3 s (checks the set-up only)
#
# The servers are the script's own: a primary and one streaming standby made with the installed binaries
# ($(pg_config --bindir): initdb, pg_ctl, pg_basebackup -R), on free ports of 127.0.0.1 from
# SERVER_PORT on, in a temporary folder, as nobody (setpriv) when run as root, as the tests'
# dev.dbpool.testsupport.PostgresServer does; PostgreSQL's default settings (trust authentication,
# streaming replication as initdb sets it up). The server on 5432 is never used. Both servers, the app
# and wrk are stopped and the folder deleted on exit, whatever the exit.
# Per run: the app (db-pool's defaults, 20 connections per pool), WARMUP s of load, then DURATION s
# measured with wrk (WRK_THREADS threads, CONNS connections). Each server's share: the delta of
# pg_stat_database.xact_commit of database postgres on each over the measured seconds, and the
# hikaricp.connections.acquire count of each pool and db.replica.fallbacks from /actuator/metrics. Where the
# CPU went: the app's JVM, each server's processes and the whole machine, as shares of its cores.
# Parameters: environment variables or flags (--conns=32): REPEATS, DURATION, WARMUP, CONNS, READ_PERCENT,
# SERVER_PORT, PG_BINDIR, STATS_SETTLE, and the shared PORT, WRK_THREADS, WRK_TIMEOUT, MAX_ID, APP_JAVA_OPTS, APP_ARGS,
# APP_START_TIMEOUT, JAVA, BUILD, RESULTS_DIR (see benchmarks/README.md, "Read replica").
# Writes benchmarks/results/replicas-<UTC timestamp>/ (or RESULTS_DIR): SUMMARY.md, raw/, machine/,
# commands.txt, config.env, and logs/ (not committed).
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh" || exit 1
BENCH_PARAMS+=(REPEATS CONNS READ_PERCENT SERVER_PORT PG_BINDIR STATS_SETTLE)
capture_command benchmarks/replicas/run.sh "$@"
args=()
SMOKE=0
for arg in "$@"; do
	if [[ "$arg" == --smoke ]]; then
		SMOKE=1
		: "${DURATION:=3}" "${WARMUP:=2}" "${REPEATS:=1}"
	else
		args+=("$arg")
	fi
done
parse_flags "${args[@]+"${args[@]}"}"
: "${REPEATS:=3}"
: "${DURATION:=20}"
: "${WARMUP:=5}"
: "${CONNS:=16}"              # wrk connections: modest, below the pools' 20
: "${READ_PERCENT:=90}"
: "${SERVER_PORT:=25432}"     # the first port tried for the primary; the standby takes the next free one
: "${PG_BINDIR:=}"            # the server binaries; pg_config --bindir if empty
: "${STATS_SETTLE:=11}"       # seconds of no load before each reading of xact_commit, so that idle backends have published theirs
: "${DB:=postgres}"           # the database on the script's own primary the sample app fills
if [[ "$SMOKE" == 1 ]]; then
	: "${RESULTS_DIR:=$BENCH_HOME/results/smoke-replicas-$(date -u +%Y%m%dT%H%M%SZ)}"
else
	: "${RESULTS_DIR:=$BENCH_HOME/results/replicas-$(date -u +%Y%m%dT%H%M%SZ)}"
fi
export RESULTS_DIR
set_defaults
CONFIGS=(primary-only with-replica)

# --- the servers: a primary and one streaming standby of the script's own ------------------------------

PG_DIR="" PRIMARY_PORT="" STANDBY_PORT=""
# As root, the server binaries run as nobody (PostgreSQL refuses root), in the servers' folder.
AS_POSTGRES=()
((EUID != 0)) || AS_POSTGRES=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
stop_servers() {
	[[ -n "$PG_DIR" ]] || return 0
	local node
	for node in standby primary; do
		[[ -f "$PG_DIR/$node/postmaster.pid" ]] && (cd "$PG_DIR" &&
			timeout 70 "${AS_POSTGRES[@]}" "$PG_BINDIR/pg_ctl" stop -D "$PG_DIR/$node" -m immediate -w -t 60 >/dev/null 2>&1)
	done
	cp "$PG_DIR"/*.log "$LOGS/" 2>/dev/null || true
	rm -rf "$PG_DIR"
	PG_DIR=""
}
replicas_cleanup() {
	cleanup
	stop_servers
}
trap replicas_cleanup EXIT

free_port_from() { # <first port>
	local port=$1
	while port_open "$port" || [[ "$port" == 5432 ]]; do
		port=$((port + 1))
		((port < $1 + 100)) || die "no free port in $1..$(($1 + 99))"
	done
	echo "$port"
}
# The node's settings, appended to its postgresql.conf (the last setting wins over the copy's).
node_conf() { # <node> <port>
	printf "\n# benchmarks/replicas/run.sh\nlisten_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" \
		"$2" "$PG_DIR" >>"$PG_DIR/$1/postgresql.conf"
}
start_node() { # <node>
	(cd "$PG_DIR" && timeout 90 "${AS_POSTGRES[@]}" "$PG_BINDIR/pg_ctl" start -D "$PG_DIR/$1" -l "$PG_DIR/$1.log" -w -t 60 >/dev/null) ||
		{ tail -n 20 "$PG_DIR/$1.log" >&2; die "could not start the $1 (see its log above)"; }
}
start_servers() {
	[[ -n "$PG_BINDIR" ]] || PG_BINDIR=$(pg_config --bindir) || die "no pg_config: set PG_BINDIR to the folder of initdb"
	local tool
	for tool in initdb pg_ctl pg_basebackup; do
		[[ -x "$PG_BINDIR/$tool" ]] || die "no $tool in $PG_BINDIR (apt-get install -y postgresql-15, or PG_BINDIR=...)"
	done
	((EUID != 0)) || command -v setpriv >/dev/null 2>&1 || die "setpriv (util-linux) is needed to run PostgreSQL as nobody"
	PG_DIR=$(mktemp -d /tmp/dbpool-bench-replicas.XXXXXX)
	((EUID != 0)) || chown nobody:nogroup "$PG_DIR"
	chmod 700 "$PG_DIR"
	PRIMARY_PORT=$(free_port_from "$SERVER_PORT")
	log "primary: initdb in $PG_DIR/primary, port $PRIMARY_PORT"
	cd "$PG_DIR"
	run_bounded 120 "$LOGS/initdb.log" "${AS_POSTGRES[@]}" "$PG_BINDIR/initdb" -D "$PG_DIR/primary" -U postgres -E UTF8 \
		-A trust --no-sync || die "initdb failed (see $LOGS/initdb.log)"
	node_conf primary "$PRIMARY_PORT"
	start_node primary
	STANDBY_PORT=$(free_port_from $((PRIMARY_PORT + 1)))
	log "standby: pg_basebackup -R from the primary into $PG_DIR/standby, port $STANDBY_PORT"
	run_bounded 300 "$LOGS/pg_basebackup.log" "${AS_POSTGRES[@]}" "$PG_BINDIR/pg_basebackup" -D "$PG_DIR/standby" -R \
		-X stream -c fast --no-sync -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres ||
		die "pg_basebackup failed (see $LOGS/pg_basebackup.log)"
	cd "$REPO_ROOT"
	node_conf standby "$STANDBY_PORT"
	start_node standby
	[[ "$(on standby 'select pg_is_in_recovery()')" == t ]] || die "the standby is not in recovery"
	[[ "$(on primary 'select count(*) from pg_stat_replication')" == 1 ]] || die "the standby does not stream from the primary"
}
on() { # <primary|standby> <sql>
	local port=$PRIMARY_PORT
	[[ "$1" == standby ]] && port=$STANDBY_PORT
	psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -Atc "$2"
}
# Wait (bounded) until the standby has replayed all the primary has written so far.
await_replayed() {
	local lsn i
	lsn=$(on primary 'select pg_current_wal_lsn()')
	for ((i = 0; i < 600; i++)); do
		[[ "$(on standby "select pg_last_wal_replay_lsn() >= '$lsn'")" == t ]] && return 0
		sleep 0.1
	done
	die "the standby did not replay up to $lsn within 60s"
}
postmaster() { head -n 1 "$PG_DIR/$1/postmaster.pid"; }
xact_commit() { on "$1" "select xact_commit from pg_stat_database where datname = '$DB'"; }

# --- one run ---------------------------------------------------------------------------------------

run_one() { # <repetition> <configuration>
	local rep=$1 config=$2 dir="$RAW/$1/$2" logf="$LOGS/$1-$2.log" replica_url=""
	local p0 s0 p1 s1 a0 a1 r0 r1 f1 cpu0 cpu1 tree0 tree1 roots
	mkdir -p "$dir"
	[[ "$config" == with-replica ]] && replica_url="postgres://postgres@127.0.0.1:$STANDBY_PORT/$DB"
	log "$config, repetition $rep: starting the app${replica_url:+ (DATABASE_REPLICA_URL=$replica_url)}"
	DATABASE_REPLICA_URL=$replica_url start_app "$logf" "$JAVA"
	if [[ -n "$replica_url" ]]; then
		grep -q "read replica of pool" "$logf" || die "the app did not start a replica pool (see $logf)"
	fi
	await_replayed
	if ((WARMUP > 0)); then
		run_wrk "$dir/warmup.json" "$CONNS" "$WARMUP" readmix "$MAX_ID" "$READ_PERCENT"
	fi
	await_replayed
	# A backend publishes its transaction counts within PGSTAT_IDLE_INTERVAL (10 s) of going idle.
	sleep "$STATS_SETTLE"
	p0=$(xact_commit primary) s0=$(xact_commit standby)
	a0=$(metric "hikaricp.connections.acquire?tag=pool:db-pool-sample-pool" COUNT)
	r0=$(metric "hikaricp.connections.acquire?tag=pool:db-pool-sample-pool-replica" COUNT)
	cpu0=$(others_cpu_snapshot)
	roots=("$APP_PID" "$(postmaster primary)" "$(postmaster standby)")
	tree0=$(cpu_snapshot "${roots[@]}")
	log "$config, repetition $rep: ${DURATION}s, $CONNS connections, $READ_PERCENT % reads"
	run_wrk "$dir/wrk.json" "$CONNS" "$DURATION" readmix "$MAX_ID" "$READ_PERCENT"
	tree1=$(cpu_snapshot "${roots[@]}")
	cpu1=$(others_cpu_snapshot)
	sleep "$STATS_SETTLE"
	a1=$(metric "hikaricp.connections.acquire?tag=pool:db-pool-sample-pool" COUNT)
	r1=$(metric "hikaricp.connections.acquire?tag=pool:db-pool-sample-pool-replica" COUNT)
	f1=$(metric "db.replica.fallbacks")
	p1=$(xact_commit primary) s1=$(xact_commit standby)
	stop_app
	cat >"$dir/meta.env" <<-META
		config=$config
		repetition=$rep
		duration_s=$DURATION
		connections=$CONNS
		read_percent=$READ_PERCENT
		replica_url=$replica_url
		primary_xact_commit=$((p1 - p0))
		standby_xact_commit=$((s1 - s0))
		primary_pool_acquires=$(awk -v a="$a0" -v b="$a1" 'BEGIN { printf "%.0f", b - a }')
		replica_pool_acquires=$( [[ -n "$r0" ]] && awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.0f", b - a }' || echo 0)
		replica_fallbacks=${f1:-0}
		others_cpu_percent=$(others_cpu_percent "$cpu0" "$cpu1")
		app_cpu_percent=$(cpu_percent "$tree0" "$tree1" 1)
		primary_cpu_percent=$(cpu_percent "$tree0" "$tree1" 2)
		standby_cpu_percent=$(cpu_percent "$tree0" "$tree1" 3)
		machine_busy_percent=$(cpu_percent "$tree0" "$tree1" 4)
		loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)
		peak_rss_kb=$RSS_PEAK_KB
		app_warn_lines=$(grep -c ' WARN ' "$logf" || true)
		app_error_lines=$(grep -c ' ERROR ' "$logf" || true)
	META
	log "$config, repetition $rep: done ($(jq -r '"\(.requests / (.duration_us / 1e6) | floor) req/s, p99 \(.latency_us.p99 / 1000) ms"' "$dir/wrk.json" 2>/dev/null || echo 'no wrk summary'))"
	sleep 2
}

# --- the runs --------------------------------------------------------------------------------------

for tool in psql curl jq timeout "$JAVA"; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
ensure_wrk
build_app "$LOGS/build.log"
record_command
start_servers
# The shared helpers (describe_machine, the app's URL) talk to the script's own primary from here on.
PGHOST=127.0.0.1 PGPORT=$PRIMARY_PORT PGUSER=postgres
JDBC_URL="jdbc:postgresql://127.0.0.1:$PRIMARY_PORT/$DB"
describe_machine
{
	for name in "${BENCH_PARAMS[@]}"; do printf '%s=%s\n' "$name" "${!name-}"; done
	printf 'SMOKE=%s\nPRIMARY_PORT=%s\nSTANDBY_PORT=%s\nPG_BINDIR=%s\n' "$SMOKE" "$PRIMARY_PORT" "$STANDBY_PORT" "$PG_BINDIR"
} >"$RESULTS_DIR/config.env"
log "results: $RESULTS_DIR"

started=$SECONDS
for ((rep = 1; rep <= REPEATS; rep++)); do
	for config in $(rotate $((rep - 1)) "${CONFIGS[@]}"); do run_one "$rep" "$config"; done
done
echo "$((SECONDS - started))" >"$RESULTS_DIR/wall-seconds.txt"
log "all runs done in $((SECONDS - started)) s"
stop_servers
"$BENCH_HOME/replicas/summary.sh" "$RESULTS_DIR"
