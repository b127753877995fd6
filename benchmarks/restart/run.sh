#!/usr/bin/env bash
# db-pool restart check: the sample app's packaged jar serves a request every ~50 ms while the local
# PostgreSQL cluster is restarted once, in the middle; then it reports what the requests saw.
#
#   benchmarks/restart/run.sh                                # 20 s of requests, restart at 8 s
#   RESTART_DURATION=30 RESTART_AT=10 benchmarks/restart/run.sh
#
# It restarts THE WHOLE LOCAL SERVER (pg_ctlcluster ... main restart): every other client of it loses its
# connections. Run it on a quiet machine only. Needs root (or the cluster's owner) for pg_ctlcluster.
# Parameters are environment variables (see benchmarks/README.md, "Restart"): RESTART_DURATION,
# RESTART_AT, REQUEST_INTERVAL_MS, REQUEST_TIMEOUT, RESTART_TIMEOUT, REFILL_TIMEOUT, RESTART_ENDPOINT,
# and the shared PORT, DB, PGHOST, PGPORT, PGUSER, APP_JAVA_OPTS, APP_ARGS, APP_START_TIMEOUT, JAVA,
# BUILD, RESULTS_DIR.
# Writes <RESULTS_DIR>/restart/: requests.csv (start ms, end ms, HTTP status), app.log, summary.txt.
source "$(dirname "$0")/../load/lib.sh"

case "${1:-}" in
	-h | --help)
		sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	"") ;;
	*) die "unexpected argument '$1'; parameters are environment variables (see --help)" ;;
esac

set_defaults
: "${RESTART_DURATION:=20}"       # seconds of requests
: "${RESTART_AT:=8}"              # seconds into the requests at which the cluster restarts
: "${REQUEST_INTERVAL_MS:=50}"    # pause between two requests
: "${REQUEST_TIMEOUT:=15}"        # curl --max-time per request, seconds (above the pool's acquire-timeout)
: "${RESTART_TIMEOUT:=120}"       # the longest pg_ctlcluster restart may take
: "${REFILL_TIMEOUT:=30}"         # the longest wait, after the requests, for the pool to refill
: "${RESTART_ENDPOINT:=/work}"    # a request that borrows a connection and runs a statement
((RESTART_AT < RESTART_DURATION)) || die "RESTART_AT ($RESTART_AT) must be below RESTART_DURATION ($RESTART_DURATION)"

OUT="$RESULTS_DIR/restart"
mkdir -p "$OUT"
APP_NAME="db-pool-restart-$$"
MIN_CONNECTIONS=3

CLUSTER_VERSION=""
cluster_version() {
	[[ -d /etc/postgresql ]] || die "no /etc/postgresql: this script restarts a Debian-packaged local cluster only"
	CLUSTER_VERSION=$(ls /etc/postgresql)
	[[ -n "$CLUSTER_VERSION" && "$CLUSTER_VERSION" != *[[:space:]]* ]] ||
		die "expected one PostgreSQL version under /etc/postgresql, found: '$CLUSTER_VERSION'"
}

server_answers() { psql_q 'select 1' >/dev/null 2>&1; }

# Whatever happens, the server is left running: a restart cut short would leave it down for everyone.
restart_cleanup() {
	cleanup
	if [[ -n "$CLUSTER_VERSION" ]] && ! server_answers; then
		log "the server does not answer; starting the cluster again"
		timeout "$RESTART_TIMEOUT" pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main start ||
			log "could not start the cluster: pg_ctlcluster --skip-systemctl-redirect $CLUSTER_VERSION main start"
	fi
}
trap restart_cleanup EXIT

now_ms() { date +%s%3N; }

sessions() {
	psql_q "select count(*) from pg_stat_activity where application_name = '$APP_NAME' and datname = '$DB'" 2>/dev/null ||
		true
}

for tool in psql curl timeout pg_ctlcluster "$JAVA"; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
server_answers || die "PostgreSQL does not answer on $PGHOST:$PGPORT as $PGUSER"
cluster_version
build_app "$OUT/build.log"
ensure_database

log "results: $OUT"
log "starting the sample app on port $PORT (application_name $APP_NAME, min-connections $MIN_CONNECTIONS)"
start_app "$OUT/app.log" "$JAVA" --app.db.pool.application-name="$APP_NAME" \
	--app.db.pool.min-connections="$MIN_CONNECTIONS" --app.db.pool.max-connections=10 \
	--app.db.pool.monitor.interval=1s

pause=$(awk -v ms="$REQUEST_INTERVAL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
# The requests, one after another, in the background: start ms, end ms, HTTP status (000: no answer).
: >"$OUT/requests.csv"
(
	end=$(($(now_ms) + RESTART_DURATION * 1000))
	while (($(now_ms) < end)); do
		started=$(now_ms)
		status=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$REQUEST_TIMEOUT" \
			"http://127.0.0.1:$PORT$RESTART_ENDPOINT" 2>/dev/null || true)
		printf '%s,%s,%s\n' "$started" "$(now_ms)" "${status:-000}" >>"$OUT/requests.csv"
		sleep "$pause"
	done
) &
LOOP_PID=$!
BG_PIDS+=("$LOOP_PID")

sleep "$RESTART_AT"
log "restarting the cluster: pg_ctlcluster --skip-systemctl-redirect $CLUSTER_VERSION main restart"
restart_started=$(now_ms)
restart_rc=0
timeout "$RESTART_TIMEOUT" pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main restart \
	>"$OUT/restart.log" 2>&1 || restart_rc=$?
restart_done=$(now_ms)
((restart_rc == 0)) || log "pg_ctlcluster exited with status $restart_rc (see $OUT/restart.log)"
log "restart took $((restart_done - restart_started)) ms; requests go on"

# Bounded: the loop ends by itself after RESTART_DURATION, plus at most one request's timeout.
wait_deadline=$((SECONDS + RESTART_DURATION + REQUEST_TIMEOUT + 10))
while kill -0 "$LOOP_PID" 2>/dev/null && ((SECONDS < wait_deadline)); do
	sleep 0.5
done
stop_pid "$LOOP_PID" 5
forget_pid "$LOOP_PID"

# The pool refills by itself: wait (bounded) until it holds min-connections and the server agrees.
refill_deadline=$((SECONDS + REFILL_TIMEOUT))
while :; do
	total=$(metric hikaricp.connections)
	total=${total%.*}
	server=$(sessions)
	[[ -n "$total" && "$total" -ge "$MIN_CONNECTIONS" && "$total" == "$server" ]] && break
	((SECONDS < refill_deadline)) || break
	sleep 0.5
done
retries=$(metric db.pool.retries)

awk -F, -v restart="$restart_started" -v restart_done="$restart_done" -v total_pool="${total:-?}" \
	-v server="${server:-?}" -v retries="${retries:-?}" -v min="$MIN_CONNECTIONS" -v rc="$restart_rc" '
	{
		requests++
		if ($3 != 200) {
			failed++
			codes[$3]++
		}
		if ($3 == 200 && $1 >= restart && first_ok == "") first_ok = $2
		if ($3 != 200 && $1 >= restart) failed_after++
	}
	END {
		printf "requests:                        %d\n", requests
		printf "failed requests:                 %d", failed
		sep = " ("
		for (c in codes) { printf "%s%s x%d", sep, (c == "000" ? "no answer" : "HTTP " c), codes[c]; sep = ", " }
		printf "%s\n", (failed ? ")" : "")
		printf "failed after the restart began:  %d\n", failed_after
		printf "restart (pg_ctlcluster) took:    %d ms (exit status %d)\n", restart_done - restart, rc
		if (first_ok != "") {
			printf "restart to first success:        %d ms (first request started after the restart began, to its answer)\n", first_ok - restart
		} else {
			printf "restart to first success:        none: no request succeeded after the restart\n"
		}
		printf "pool total at the end:           %s (min-connections %d)\n", total_pool, min
		printf "server sessions at the end:      %s\n", server
		printf "db.pool.retries at the end:      %s\n", retries
	}' "$OUT/requests.csv" | tee "$OUT/summary.txt"

stop_app
log "done: $OUT/summary.txt"
