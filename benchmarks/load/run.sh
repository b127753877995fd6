#!/usr/bin/env bash
# db-pool load benchmark: the sample app's packaged jar in each mode (MODES), in turn, against the
# same PostgreSQL, driven on loopback by wrk in each scenario (SCENARIOS), plus the HTTP ceiling
# (wrk on /ping) and the database ceiling (pgbench -S) at the same connection counts.
#
#   benchmarks/load/run.sh                  # the issue's full size (about 15 minutes)
#   DURATION=3 WARMUP=1 STEADY_CONNS=10 OVERLOAD_CONNS=20 POOL_MAX=8 benchmarks/load/run.sh   # a smoke run
#   MODES="db-pool db-pool-virtual" SCENARIOS="steady overload" CEILINGS=0 benchmarks/load/run.sh
#                                           # db-pool on JDK 17 against db-pool on JDK 25's virtual threads
#
# Every parameter is an environment variable or a flag (--steady-conns=10); see benchmarks/README.md.
# Writes benchmarks/results/<UTC timestamp>/ (or RESULTS_DIR): raw/, logs/, results.json, report.md,
# charts; and copies the run to benchmarks/results/latest.
source "$(dirname "$0")/lib.sh"
capture_command benchmarks/load/run.sh "$@"
parse_flags "$@"
set_defaults
record_command
write_config load
ensure_tools
ensure_wrk
describe_machine

# Check every mode (its arguments and its JVM) and scenario before anything runs.
for mode in $MODES; do
	mode_args "$mode" >/dev/null
	java=$(mode_java "$mode")
	[[ "$java" == "$JAVA" ]] || log "$mode runs on $java ($(java_version "$java")); the others on $JAVA"
done
max_conns=0
for scenario in $SCENARIOS; do
	c=$(scenario_conns "$scenario")
	((c > max_conns)) && max_conns=$c
done
ensure_ulimit "$max_conns"
build_jars
ensure_database

log "results: $RESULTS_DIR"
log "Tomcat keeps its defaults (200 request threads, accept queue 100, 8192 connections); wrk --timeout $WRK_TIMEOUT"

# The ceilings, at each distinct connection count of the scenarios run.
if [[ "$CEILINGS" == 1 ]]; then
	ensure_pgbench_tables
	conn_counts=$(for scenario in $SCENARIOS; do scenario_conns "$scenario"; done | sort -n | uniq)
	max_connections=$(psql_q 'show max_connections')
	reserved=$(psql_q 'show superuser_reserved_connections')
	for conns in $conn_counts; do
		dir="$RAW/ceilings/db-$conns"
		mkdir -p "$dir"
		in_use=$(connection_counts | cut -d' ' -f2)
		free_slots=$((max_connections - reserved - in_use - 2))
		clients=$conns
		cap_reason="the scenario's connection count"
		if ((clients > PGBENCH_MAX_CLIENTS)); then
			clients=$PGBENCH_MAX_CLIENTS
			cap_reason="PGBENCH_MAX_CLIENTS=$PGBENCH_MAX_CLIENTS"
		fi
		if ((clients > free_slots)); then
			clients=$free_slots
			cap_reason="the server's free connection slots (max_connections $max_connections - reserved $reserved - $in_use in use - 2)"
		fi
		((clients >= 1)) || die "no free connection slot on the server for pgbench"
		log "database ceiling: pgbench -S -M $PGBENCH_PROTOCOL -c $clients for ${DURATION}s (capped by $cap_reason)"
		rc=0
		run_bounded $((DURATION + 60)) "$dir/pgbench.txt" pgbench -n -S -M "$PGBENCH_PROTOCOL" -c "$clients" \
			-j "$(min 2 "$clients")" -T "$DURATION" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB" || rc=$?
		((rc == 0)) || log "pgbench exited with status $rc (see $dir/pgbench.txt)"
		cat >"$dir/meta.env" <<-META
			connections=$conns
			clients=$clients
			cap_reason=$cap_reason
			threads=$(min 2 "$clients")
			protocol=$PGBENCH_PROTOCOL
			duration_s=$DURATION
			scale=$PGBENCH_SCALE
			exit_status=$rc
		META
	done

	log "HTTP ceiling: the app in db-pool mode, wrk on /ping"
	wait_db_idle
	# shellcheck disable=SC2046
	start_app "$LOGS/ceilings-http.log" "$JAVA" $(mode_args db-pool)
	if ((WARMUP > 0)); then
		run_wrk "$RAW/ceilings/http-warmup.json" "$STEADY_CONNS" "$WARMUP" ping
	fi
	for conns in $conn_counts; do
		dir="$RAW/ceilings/http-$conns"
		mkdir -p "$dir"
		log "HTTP ceiling: ${DURATION}s at $conns connections on /ping"
		run_wrk "$dir/wrk.json" "$conns" "$DURATION" ping
		printf 'connections=%s\nduration_s=%s\nendpoint=/ping\n' "$conns" "$DURATION" >"$dir/meta.env"
	done
	stop_app
fi

for mode in $MODES; do
	args=$(mode_args "$mode")
	for scenario in $SCENARIOS; do
		# shellcheck disable=SC2086
		measure "$RAW/load/$mode/$scenario" "$mode" "$scenario" $args
	done
done

run_report
