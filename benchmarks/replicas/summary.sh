#!/usr/bin/env bash
# The summary of a benchmarks/replicas/run.sh run, from its raw/: SUMMARY.md in the run's folder, a table of
# the medians of the repetitions with their spread (min-max) per configuration, each server's share, every
# run's numbers, the machine and the exact commands. A notes.md in the folder is included under "Notes".
# Needs jq.
#
#   benchmarks/replicas/summary.sh benchmarks/results/replicas-<timestamp>
set -euo pipefail
dir="${1:?usage: benchmarks/replicas/summary.sh <results dir>}"
dir="$(cd "$dir" && pwd)"
raw="$dir/raw"
out="$dir/SUMMARY.md"
command -v jq >/dev/null 2>&1 || { echo "jq is not installed (apt-get install -y jq)" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/../load/summary-lib.sh"

cores=$(head -n 1 "$dir/machine/nproc.txt" 2>/dev/null || echo 0)
# CPU milliseconds per request from a share of the cores (in %) over <seconds>.
per_request() { # <cpu %>... <seconds> <requests>
	local args=("$@") n=$#
	awk -v secs="${args[n - 2]}" -v req="${args[n - 1]}" -v cores="$cores" -v list="${args[*]:0:n-2}" 'BEGIN {
		k = split(list, p, " "); s = 0; if (k == 0) { print "nan"; exit }
		for (i = 1; i <= k; i++) { if (p[i] !~ /^[0-9.]+$/) { print "nan"; exit } s += p[i] }
		if (req + 0 == 0 || cores == 0) { print "nan"; exit }
		printf "%.3f\n", s / 100 * cores * secs * 1000 / req }'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.1f\n", a / b * 100 }'; }

# rep config rps p50 p99 max non2xx sockerr reads writes primary_xact standby_xact standby_share
# primary_acq replica_acq replica_share fallbacks others_cpu app_cpu primary_cpu standby_cpu machine_busy
# app_cpu_ms_per_request servers_cpu_ms_per_request
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for d in "$raw"/*/*/; do
	d=${d%/}
	[[ -s "$d/wrk.json" ]] || continue
	IFS=$'\t' read -r rps p50 p99 mx n2 sk _ _ _ _ _ < <(wrk_row "$d/wrk.json")
	reads=$(jq -r '.statuses["200"] // 0' "$d/wrk.json")
	writes=$(jq -r '.statuses["201"] // 0' "$d/wrk.json")
	px=$(meta "$d" primary_xact_commit) sx=$(meta "$d" standby_xact_commit)
	ac=$(meta "$d" app_cpu_percent) pc=$(meta "$d" primary_cpu_percent) sc=$(meta "$d" standby_cpu_percent)
	requests=$(jq -r '.requests' "$d/wrk.json") secs=$(jq -r '.duration_us / 1e6' "$d/wrk.json")
	pa=$(meta "$d" primary_pool_acquires) ra=$(meta "$d" replica_pool_acquires)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(meta "$d" repetition)" \
		"$(meta "$d" config)" "$rps" "$p50" "$p99" "$mx" "$n2" "$sk" "$reads" "$writes" "$px" "$sx" \
		"$(pct "$sx" $((px + sx)))" "$pa" "$ra" "$(pct "$ra" $((pa + ra)))" "$(printf '%.0f' "$(meta "$d" replica_fallbacks)")" \
		"$(meta "$d" others_cpu_percent)" "$ac" "$pc" "$sc" "$(meta "$d" machine_busy_percent)" \
		"$(per_request "$ac" "$secs" "$requests")" "$(per_request "$pc" "$sc" "$secs" "$requests")" >>"$rows"
done
col() { awk -F'\t' -v n="$2" -v k="$1" '$2 == k { print $n }' "$rows"; }
sum() { col "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }

{
	summary_header "db-pool with a read replica: benchmark summary" \
		"short, for checking the set-up only; these numbers speak for nothing."
	echo "Load: the sample app's packaged jar (db-pool's defaults: 20 connections per pool), wrk $(cfg WRK_THREADS) threads,"
	echo "$(cfg CONNS) connections, $(cfg WARMUP) s warm-up then $(cfg DURATION) s measured; $(cfg READ_PERCENT) % of the requests"
	echo "\`GET /customers/<id>/order-summary\` (a read-only transaction: a join and an aggregate over the customer's orders),"
	echo "the rest \`POST /orders\` (a write transaction: an UPDATE and an INSERT), chosen by request count, random customers"
	echo "1..$(cfg MAX_ID). Servers: the script's own primary and one streaming standby (\`pg_basebackup -R\`), PostgreSQL's default"
	echo "settings, on 127.0.0.1. **primary-only**: no replica configured, everything on the primary. **with-replica**:"
	echo "\`DATABASE_REPLICA_URL\` names the standby, so the summaries run on the replica's pool."
	echo "Repetitions: $(cfg REPEATS) of each, alternating (the order rotated from one repetition to the next)."
	echo "Tables give the **median** of the repetitions and, in brackets, their **spread** (min–max)."
	echo
	echo "## Results"
	echo
	echo "| configuration | req/s | p50 ms | p99 ms | non-2xx | socket errors | standby's share of commits % | replica pool's share of borrows % | CPU %: app | primary | standby | machine busy | CPU ms per request: app | both servers | others' CPU % |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for config in primary-only with-replica; do
		[[ -n "$(col "$config" 3)" ]] || continue
		echo "| $config | $(col "$config" 3 | spread 0) | $(col "$config" 4 | spread 1) | $(col "$config" 5 | spread 1) |" \
			"$(sum "$config" 7) | $(sum "$config" 8) | $(col "$config" 13 | spread 1) | $(col "$config" 16 | spread 1) |" \
			"$(col "$config" 19 | spread 0) | $(col "$config" 20 | spread 0) | $(col "$config" 21 | spread 0) |" \
			"$(col "$config" 22 | spread 0) | $(col "$config" 23 | spread 2) | $(col "$config" 24 | spread 2) |" \
			"$(col "$config" 18 | spread 0) |"
	done
	echo
	echo "Errors are totals over all runs. **Standby's share of commits**: the standby's delta of"
	echo "\`pg_stat_database.xact_commit\` (database \`postgres\`) over the measured seconds against both servers' deltas;"
	echo "it counts every committed transaction, also the monitor's and the replica lag reader's (one each per"
	echo "\`monitor.server-interval\`, 60 s) and the script's own reading of the counter. **Replica pool's share of borrows**:"
	echo "the \`hikaricp.connections.acquire\` count of the pool \`db-pool-sample-pool-replica\` against both pools' over the"
	echo "measured seconds, from \`/actuator/metrics\`. \`db.replica.fallbacks\` (read-only borrows sent to the primary"
	echo "over the app's life): $(col with-replica 17 | paste -sd' ' - | sed 's/ /, /g; s/^$/n\/a/') per with-replica run."
	echo "**CPU %**: CPU time over the measured seconds as a share of all the machine's cores (100 = every core busy"
	echo "throughout): the app's JVM; each server's processes (the postmaster and its backends, with those that ended);"
	echo "machine busy: all of it (\`/proc/stat\`), wrk, other work and the kernel included. **Others' CPU**: the share that"
	echo "processes other than the benchmark's own and PostgreSQL's took (a lower bound; see benchmarks/pooler's summary)."
	echo "**CPU ms per request**: that CPU time divided by the requests served: the app's, and both servers' together"
	echo "(from whole-percent shares, so ±0.5 % of the cores each)."
	echo
	echo "## What this machine can and cannot show"
	echo
	echo "$(machine nproc.txt) cores ($(machine cpu.txt)). The two PostgreSQL servers, the app's JVM and wrk all share them, over"
	echo "loopback."
	echo
	cat <<-'NOTE'
		- **A replica cannot add CPU here.** On real hosts a replica brings its own cores, memory and disk, so moving the
		  reads there frees the primary and the total capacity grows. Here the standby's backends run on the same
		  cores as the primary's, the app and wrk: the work only moves from one process to another. The throughput
		  therefore cannot show the gain a replica gives a database-bound service; at best it shows the cost of the
		  routing (one more pool, Spring's `LazyConnectionDataSourceProxy`, a second set of connections), and at
		  worst both servers' caches and processes competing for the same cores and memory.
		- **Where the time goes** is in the CPU columns: the app's JVM, each server and the whole machine. Each
		  request's transaction is small (an index lookup and an aggregate over a few rows); where the machine is
		  busy and the servers take the smaller part, the database is not the bottleneck here, and that is the
		  case replicas are for: they help where the primary's CPU, memory or I/O is the limit.
		- **What it does show:** whether the routing holds under load: the share of the commits on the standby, the
		  share of the borrows on the replica's pool, the errors and the fallbacks; and what the second server and
		  pool cost or save in throughput and latency on the same cores, within the run-to-run spread of a shared
		  2-core machine.
		- **Replication lag** stays small here (loopback, little write volume); the writes of one request are not
		  necessarily visible to a summary read right after it on the standby. The sample does not need that.
		- **Shared machine.** Other work (builds, test suites of other sessions, the shared PostgreSQL on 5432) ran
		  meanwhile; the "others' CPU" column records what could be seen of it. Alternating order and medians limit
		  its effect, they do not remove it.
	NOTE
	echo
	notes_section "$dir"
	echo "## Every run"
	echo
	echo "| rep | configuration | req/s | p50 ms | p99 ms | max ms | reads (200) | writes (201) | non-2xx | socket errors | commits primary / standby | borrows primary pool / replica pool | fallbacks | CPU % app / primary / standby / machine | others' CPU % |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	sort -k1,1n -k2,2 "$rows" | while IFS=$'\t' read -r rep config rps p50 p99 mx n2 sk rd wr px sx _ pa ra _ fb oc ac pc sc mb; do
		echo "| $rep | $config | $(num "$rps" 0) | $(num "$p50" 1) | $(num "$p99" 1) | $(num "$mx" 0) | $(num "$rd" 0) |" \
			"$(num "$wr" 0) | $n2 | $sk | $(num "$px" 0) / $(num "$sx" 0) | $(num "$pa" 0) / $(num "$ra" 0) | ${fb:-0} |" \
			"${ac:-?} / ${pc:-?} / ${sc:-?} / ${mb:-?} | $oc |"
	done
	echo
	echo "## Machine, versions, commands"
	echo
	machine_rows "binaries $(cfg PG_BINDIR)"
	echo
	echo "The run: \`$(head -n 1 "$dir/commands.txt" 2>/dev/null || echo benchmarks/replicas/run.sh)\` (parameters in \`config.env\`). Per run:"
	echo
	echo '```'
	echo "# primary-only: DATABASE_REPLICA_URL empty; with-replica: DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:<standby port>/postgres"
	echo "java $(cfg APP_JAVA_OPTS) -jar sample-app/target/db-pool-sample-app.jar --server.port=$(cfg PORT) \\"
	echo "  --spring.datasource.url=jdbc:postgresql://127.0.0.1:<primary port>/postgres --spring.datasource.username=postgres"
	echo "wrk -t$(cfg WRK_THREADS) -c$(cfg CONNS) -d$(cfg DURATION)s --timeout $(cfg WRK_TIMEOUT) --latency -s benchmarks/load/wrk-scenario.lua http://127.0.0.1:$(cfg PORT) -- readmix $(cfg MAX_ID) $(cfg READ_PERCENT)"
	echo "psql -p <port> -Atc \"select xact_commit from pg_stat_database where datname = 'postgres'\"   # each server, before and after"
	echo "curl 'http://127.0.0.1:$(cfg PORT)/actuator/metrics/hikaricp.connections.acquire?tag=pool:db-pool-sample-pool-replica'   # and pool:db-pool-sample-pool"
	echo '```'
} >"$out"
echo "bench: summary in $out"
