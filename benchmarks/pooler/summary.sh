#!/usr/bin/env bash
# The summary of a benchmarks/pooler/run.sh run, from its raw/: summary.md in the run's folder, with
# a table per measurement (median of the repetitions, and their spread as min-max), every run's
# numbers, the machine, the versions and the exact commands. A notes.md in the folder (what the person
# who ran it saw) is included under "Notes". Needs jq.
#
#   benchmarks/pooler/summary.sh benchmarks/results/pooler-<timestamp>
set -euo pipefail
dir="${1:?usage: benchmarks/pooler/summary.sh <results dir>}"
dir="$(cd "$dir" && pwd)"
raw="$dir/raw"
out="$dir/summary.md"
command -v jq >/dev/null 2>&1 || { echo "jq is not installed (apt-get install -y jq)" >&2; exit 1; }


source "$(dirname "${BASH_SOURCE[0]}")/../load/summary-lib.sh"

# Column <n> of the rows of <file> whose columns 2 (and 3) are <key> (and <key2>).
col() { # <file> <n> <key> [<key2>]
	awk -F'\t' -v n="$2" -v k="$3" -v k2="${4:-}" '$2 == k && (k2 == "" || $3 == k2) { print $n }' "$1"
}
sum_col() { col "$@" | awk '{ s += $1 } END { print s + 0 }'; }
# "value ×count, …" of the words on stdin ("?" where none).
tally() { awk 'NF { n[$1]++ } END { s = ""; for (k in n) s = s (s == "" ? "" : ", ") k " ×" n[k]; print (s == "" ? "?" : s) }'; }
max_col() { col "$@" | sort -g | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0 || a == "nan" || b == "nan") print "n/a"; else printf "%+.1f %%\n", (a / b - 1) * 100 }'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repeats=$(cfg REPEATS)

{
	summary_header "db-pool behind PgBouncer: benchmark summary" \
		"small and short, for checking the set-up only; these numbers speak for nothing."
	echo "Repetitions of each measurement: ${repeats} (the order of the variants rotated from one repetition to the"
	echo "next). Tables give the **median** of the repetitions and, in brackets, their **spread** (min–max)."
	echo "Raw results: \`raw/\` (wrk JSON and text, pgbench output, connection samples every 0.5 s, \`meta.env\` per run)."
	echo
	echo "## Machine and versions"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| cores | $(machine nproc.txt) ($(machine cpu.txt)) |"
	echo "| memory | $(awk '/^Mem:/ { print $2 " GiB" }' "$dir/machine/free.txt" 2>/dev/null || echo unknown) |"
	echo "| kernel | $(machine uname.txt) |"
	echo "| JDK | $(machine java.txt 2) |"
	echo "| PostgreSQL | $(machine postgres.txt) (max_connections $(machine max_connections.txt), superuser_reserved_connections $(machine superuser_reserved_connections.txt)) |"
	echo "| PgBouncer | $(machine pgbouncer.txt) |"
	echo "| wrk | $(machine wrk.txt) |"
	echo "| pgbench | $(machine pgbench.txt) |"
	echo "| app's role | \`$(cfg BENCH_ROLE)\` (no superuser), database \`$(cfg DB)\`; role settings there: $(machine role-settings.txt) |"
	echo
	echo "Everything ran on this one machine over 127.0.0.1: the load generator (wrk or pgbench), the app's JVM(s),"
	echo "PgBouncer and PostgreSQL share its cores. The PostgreSQL server is shared with other work."
	echo

	# --- hop ---
	if [[ -d "$raw/hop" ]]; then
		rows="$tmp/hop.tsv"
		: >"$rows"
		for d in "$raw"/hop/*/*/; do
			d=${d%/}
			[[ -s "$d/wrk.json" ]] || continue
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$(dirname "$d")")" "$(basename "$d")" "$(wrk_row "$d/wrk.json")" \
				"$(meta "$d" peak_db_connections)" "$(meta "$d" peak_server_connections)" \
				"$(($(meta "$d" peak_rss_kb) / 1024))	$(meta "$d" others_cpu_percent)	$(meta "$d" pooler_mode)" >>"$rows"
		done
		# rep mode rps p50 p99 max non2xx sock connect read write timeout requests peak_db peak_srv rss others_cpu
		# pooler_mode
		echo "## 1. The pooler hop on one instance"
		echo
		echo "The sample app (db-pool's defaults: 20 connections, min 5; pooler mode \`auto\`, which finds the set-up"
		echo "itself: what it found is in the last column), $(cfg HOP_CONNS) wrk connections of key lookups (\`GET /customers/{random id}\`, one primary-key SELECT),"
		echo "$(cfg WARMUP) s warm-up, then $(cfg HOP_DURATION) s measured; a fresh app (and PgBouncer) per run. PgBouncer's"
		echo "\`default_pool_size\` $(cfg HOP_PGBOUNCER_POOL), above the app's pool, so that it never limits. **direct-unprepared** is"
		echo "direct with the driver's \`prepareThreshold=0\` in the URL, as db-pool sets it behind PgBouncer in transaction"
		echo "mode: from direct to it, the cost of no server-side prepared statements; from it to pgbouncer-transaction, the hop's."
		echo
		echo "| set-up | req/s | vs direct | p50 ms | p99 ms | errors (non-2xx / socket) | peak server backends | others' CPU % | db-pool's pooler mode |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
		direct_rps=$(col "$rows" 3 direct | median)
		for mode in direct direct-unprepared pgbouncer-session pgbouncer-transaction; do
			[[ -n "$(col "$rows" 3 "$mode")" ]] || continue
			echo "| $mode | $(col "$rows" 3 "$mode" | spread 0) | $(ratio "$(col "$rows" 3 "$mode" | median)" "$direct_rps") |" \
				"$(col "$rows" 4 "$mode" | spread 1) | $(col "$rows" 5 "$mode" | spread 1) |" \
				"$(sum_col "$rows" 7 "$mode") / $(sum_col "$rows" 8 "$mode") | $(col "$rows" 14 "$mode" | spread 0) |" \
				"$(col "$rows" 17 "$mode" | spread 0) | $(col "$rows" 18 "$mode" | tally) |"
		done
		echo
		echo "Errors are totals over all runs. Peak server backends: the client backends connected to the"
		echo "benchmark database (sampled every 0.5 s): the app's pool and its monitor connection directly, PgBouncer's server"
		echo "connections behind it."
		echo
	fi

	# --- fleet ---
	if [[ -d "$raw/fleet" ]]; then
		rows="$tmp/fleet.tsv"
		: >"$rows"
		instances=$(cfg FLEET_INSTANCES)
		for d in "$raw"/fleet/*/*/; do
			d=${d%/}
			[[ -f "$d/meta.env" ]] || continue
			# rep mode rps worst_p99 best_p99 worst_p50 non2xx sock connect read write timeout peak_db peak_srv
			# pool pgb_waiting_peak pgb_maxwait_ms rss_max_mib requests others_cpu pooler_modes (one per app)
			awk_in=$(for f in "$d"/wrk-*.json; do wrk_row "$f"; done)
			read -r rps wp99 bp99 wp50 n2 sk cn rd wr to rq < <(echo "$awk_in" | awk -F'\t' '
				{ r += $1; if ($3 > wp) wp = $3; if (bp == "" || $3 < bp) bp = $3; if ($2 > w50) w50 = $2
				  n += $5; s += $6; c += $7; rd += $8; wr += $9; t += $10; q += $11 }
				END { print r, wp, bp, w50, n, s, c, rd, wr, t, q }')
			waiting=n/a maxwait=n/a
			if [[ -f "$d/pgbouncer-pools.txt" ]]; then
				read -r waiting maxwait < <(awk 'NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; next } $1 != "miss" {
					w = $(col["cl_waiting"]); m = $(col["maxwait"]) * 1000 + $(col["maxwait_us"]) / 1000
					if (w > pw) pw = w; if (m > pm) pm = m } END { print pw + 0, pm + 0 }' "$d/pgbouncer-pools.txt")
			fi
			rss_max=$(meta "$d" peak_rss_kb | tr ' ' '\n' | sort -g | tail -n 1)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				"$(basename "$(dirname "$d")")" "$(basename "$d")" "$rps" "$wp99" "$bp99" "$wp50" "$n2" "$sk" "$cn" "$rd" "$wr" "$to" \
				"$(meta "$d" peak_db_connections)" "$(meta "$d" peak_server_connections)" "$(meta "$d" pool_max_per_instance)" \
				"$waiting" "$maxwait" "$((${rss_max:-0} / 1024))" "$rq	$(meta "$d" others_cpu_percent)	$(meta "$d" pooler_modes)" >>"$rows"
		done
		echo "## 2. Fleet: ${instances} instances, $(num $((instances * $(cfg FLEET_CONNS))) 0) client connections"
		echo
		echo "${instances} copies of the sample app at once (ports $(cfg PORT)…, \`$(cfg FLEET_JAVA_OPTS)\` each,"
		echo "\`app.db.pool.instances=${instances}\`), wrk with $(cfg FLEET_CONNS) connections against each (${instances} wrk processes"
		echo "of $(cfg FLEET_WRK_THREADS) thread(s) in parallel, same start and duration), key lookups, $(cfg WARMUP) s warm-up, then"
		echo "$(cfg DURATION) s measured. **direct**: each instance straight to PostgreSQL with its own pool. **pgbouncer-transaction**:"
		echo "every instance through ONE PgBouncer in transaction mode whose \`default_pool_size\` $(cfg FLEET_PGBOUNCER_POOL) is the"
		echo "server connections of the whole fleet; each app's \`app.db.pool.pooler.mode\`: \`$(cfg FLEET_POOLER_MODE)\`"
		echo "(\`auto\` lets each app find the mode at start; what they found is in the last column)."
		echo
		note=$(grep -m1 '^note=' "$raw/fleet/server-slots.txt" 2>/dev/null | cut -d= -f2- || true)
		[[ -z "$note" ]] || { echo "Pool size of the direct case: $note."; echo; }
		echo "| set-up | app pools (server conns possible) | total req/s | p99 ms, worst instance | p99 ms, best instance | p50 ms, worst instance | non-2xx | socket errors | PEAK server backends | others' CPU % | db-pool's pooler mode (per app) |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		for mode in direct pgbouncer-transaction; do
			[[ -n "$(col "$rows" 3 "$mode")" ]] || continue
			pool=$(col "$rows" 15 "$mode" | head -n 1)
			if [[ "$mode" == direct ]]; then
				pools="${instances} × ${pool} (+${instances} monitor) = $((instances * (pool + 1)))"
			else
				pools="${instances} × ${pool} → PgBouncer → $(cfg FLEET_PGBOUNCER_POOL)"
			fi
			echo "| $mode | $pools | $(col "$rows" 3 "$mode" | spread 0) | $(col "$rows" 4 "$mode" | spread 1) |" \
				"$(col "$rows" 5 "$mode" | spread 1) | $(col "$rows" 6 "$mode" | spread 1) | $(sum_col "$rows" 7 "$mode") |" \
				"$(sum_col "$rows" 8 "$mode") | $(col "$rows" 13 "$mode" | spread 0) | $(col "$rows" 20 "$mode" | spread 0) |" \
				"$(col "$rows" 21 "$mode" | tr ' ' '\n' | tally) |"
		done
		echo
		echo "Errors are totals over all runs (socket errors: connect, read, write and timeout, wrk's"
		echo "\`--timeout $(cfg WRK_TIMEOUT)\`). The p99 is per wrk process, so the worst of the ${instances} is given, not a merged"
		echo "percentile. PEAK server backends: the client backends connected to the benchmark database, sampled every 0.5 s"
		echo "from a separate psql during the measured seconds."
		if [[ -n "$(col "$rows" 3 pgbouncer-transaction)" ]]; then
			echo "Behind PgBouncer, its \`SHOW POOLS\` every second: peak clients waiting for a server connection"
			echo "$(col "$rows" 16 pgbouncer-transaction | spread 0), peak \`maxwait\` (oldest waiting client) $(col "$rows" 17 pgbouncer-transaction | spread 0) ms."
		fi
		echo "Peak RSS of the largest instance: direct $(col "$rows" 18 direct | spread 0) MiB, through PgBouncer $(col "$rows" 18 pgbouncer-transaction | spread 0) MiB."
		echo
	fi

	# --- setlocal ---
	if [[ -d "$raw/setlocal" ]]; then
		rows="$tmp/setlocal.tsv"
		: >"$rows"
		for d in "$raw"/setlocal/[0-9]*/*/; do
			d=${d%/}
			f="$d/pgbench.txt"
			# rep variant protocol tps latency_ms failed processed others_cpu
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$(dirname "$d")")" "$(meta "$d" variant)" "$(meta "$d" protocol)" \
				"$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$f" | head -n 1)" \
				"$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$f" | head -n 1)" \
				"$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$f" | head -n 1)" \
				"$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$f" | head -n 1)	$(meta "$d" others_cpu_percent)" >>"$rows"
		done
		echo "## 3. Timeouts in transaction mode: the role's settings vs SET LOCAL per transaction"
		echo
		echo "pgbench through PgBouncer in transaction mode (\`default_pool_size\` 20), as \`$(cfg BENCH_ROLE)\`, whose settings in"
		echo "\`$(cfg DB)\` hold the timeouts (a transaction through PgBouncer sees statement_timeout, idle_in_transaction_session_timeout,"
		echo "lock_timeout = $(tr '|' ' ' <"$raw/setlocal/role-timeouts-through-pgbouncer.txt" 2>/dev/null | sed 's/ /, /g')):"
		echo "\`-c $(cfg PGBENCH_CLIENTS) -j $(cfg PGBENCH_THREADS) -T $(cfg PGBENCH_DURATION)\`, one script each (\`raw/setlocal/scripts/\`):"
		echo
		echo "- **tx-role** (a): \`BEGIN; SELECT 1; COMMIT;\`, the timeouts from the role's settings;"
		echo "- **tx-setlocal** (b): \`BEGIN; SET LOCAL statement_timeout='30s'; SET LOCAL idle_in_transaction_session_timeout='5min'; SET LOCAL lock_timeout='2s'; SELECT 1; COMMIT;\`"
		echo "  (three statements, three round trips more);"
		echo "- **tx-set-config**: the same three settings in ONE statement, \`SELECT set_config('statement_timeout', '30s', true), set_config(…), set_config(…)\`"
		echo "  (one round trip more: the cheapest form of (b));"
		echo "- **autocommit-role**: \`SELECT 1;\` alone, in autocommit, the timeouts from the role's settings. SET LOCAL cannot"
		echo "  apply to an autocommit statement at all (outside a transaction block it only warns and does nothing)."
		echo
		echo "\`-M prepared\` is not run: PgBouncer 1.18 in transaction mode does not carry named prepared statements across"
		echo "server connections."
		echo
		echo "| script | protocol | TPS | vs tx-role | latency avg ms | failed | others' CPU % |"
		echo "|---|---|---:|---:|---:|---:|---:|"
		for protocol in simple extended; do
			base=$(col "$rows" 4 tx-role "$protocol" | median)
			for variant in tx-role tx-setlocal tx-set-config autocommit-role; do
				[[ -n "$(col "$rows" 4 "$variant" "$protocol")" ]] || continue
				echo "| $variant | $protocol | $(col "$rows" 4 "$variant" "$protocol" | spread 0) |" \
					"$(ratio "$(col "$rows" 4 "$variant" "$protocol" | median)" "$base") |" \
					"$(col "$rows" 5 "$variant" "$protocol" | spread 3) | $(sum_col "$rows" 6 "$variant" "$protocol") |" \
					"$(col "$rows" 8 "$variant" "$protocol" | spread 0) |"
			done
		done
		echo
		echo "Relative cost of SET LOCAL (b) against the role's settings (a), from the medians:"
		echo
		for protocol in simple extended; do
			a_tps=$(col "$rows" 4 tx-role "$protocol" | median)
			a_lat=$(col "$rows" 5 tx-role "$protocol" | median)
			for variant in tx-setlocal tx-set-config; do
				b_tps=$(col "$rows" 4 "$variant" "$protocol" | median)
				b_lat=$(col "$rows" 5 "$variant" "$protocol" | median)
				echo "- $protocol, $variant: TPS $(ratio "$b_tps" "$a_tps"), latency +$(awk -v a="$a_lat" -v b="$b_lat" 'BEGIN { printf "%.0f", (b - a) * 1000 }') µs per transaction" \
					"($(awk -v a="$a_lat" -v b="$b_lat" 'BEGIN { printf "%.3f → %.3f ms", a, b }'))"
			done
		done
		echo
	fi

	echo "## Commands"
	echo
	echo "The run: \`$(head -n 1 "$dir/commands.txt" 2>/dev/null || echo benchmarks/pooler/run.sh)\` (parameters in \`config.env\`)."
	echo
	echo '```'
	if [[ -d "$raw/hop" ]]; then
		echo "# 1. hop, per run: the app, then wrk (warm-up, then measured)"
		echo "java $(cfg APP_JAVA_OPTS) -jar sample-app/target/db-pool-sample-app.jar --server.port=$(cfg PORT) \\"
		echo "  --spring.datasource.url=jdbc:postgresql://127.0.0.1:{5432 | 5432 with ?prepareThreshold=0 | PgBouncer's port}/$(cfg DB) --spring.datasource.username=$(cfg BENCH_ROLE)"
		echo "wrk -t$(cfg WRK_THREADS) -c$(cfg HOP_CONNS) -d$(cfg HOP_DURATION)s --timeout $(cfg WRK_TIMEOUT) --latency -s benchmarks/load/wrk-scenario.lua http://127.0.0.1:$(cfg PORT) -- keylookup $(cfg MAX_ID)"
	fi
	if [[ -d "$raw/fleet" ]]; then
		echo "# 2. fleet, per run: i = 1..$(cfg FLEET_INSTANCES) at once, then $(cfg FLEET_INSTANCES) wrk in parallel"
		echo "java $(cfg FLEET_JAVA_OPTS) -jar sample-app/target/db-pool-sample-app.jar --server.port=\$(($(cfg PORT) + i - 1)) \\"
		echo "  --spring.datasource.url=jdbc:postgresql://127.0.0.1:{5432 | PgBouncer's port}/$(cfg DB) --spring.datasource.username=$(cfg BENCH_ROLE) \\"
		echo "  --app.db.pool.instances=$(cfg FLEET_INSTANCES) --app.db.pool.max-connections={pool} --app.db.pool.min-connections={min(5, pool)}"
		[[ "$(cfg FLEET_POOLER_MODE)" == pgbouncer-transaction ]] &&
			echo "  # and through PgBouncer: --app.db.pool.pooler.mode=pgbouncer-transaction"
		echo "wrk -t$(cfg FLEET_WRK_THREADS) -c$(cfg FLEET_CONNS) -d$(cfg DURATION)s --timeout $(cfg WRK_TIMEOUT) --latency -s benchmarks/load/wrk-scenario.lua http://127.0.0.1:\$(($(cfg PORT) + i - 1)) -- keylookup $(cfg MAX_ID)"
		echo "psql -Atc \"select count(*) filter (where datname = '$(cfg DB)'), count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()\"   # every 0.5 s"
	fi
	if [[ -d "$raw/setlocal" ]]; then
		echo "# 3. setlocal, per run"
		for f in "$raw"/setlocal/1/*/command.txt; do [[ -f "$f" ]] && cat "$f"; done
	fi
	echo '```'
	echo
	echo "PgBouncer's configuration (generated per run in a temporary folder; PgBouncer started as \`nobody\` with"
	echo "\`setpriv --reuid=nobody --regid=nogroup --clear-groups pgbouncer pgbouncer.ini\`), e.g. the fleet's:"
	echo
	echo '```ini'
	ini=$(ls "$raw"/fleet/*/pgbouncer-transaction/pgbouncer.ini "$raw"/hop/*/pgbouncer-transaction/pgbouncer.ini \
		"$raw"/setlocal/pgbouncer.ini 2>/dev/null | head -n 1 || true)
	[[ -n "$ini" ]] && cat "$ini"
	echo '```'
	echo

	echo "## What this machine can and cannot show"
	echo
	cat <<-'NOTE'
		- **One machine, shared cores.** The load generator, the app's JVM(s), PgBouncer and PostgreSQL all run on the
		  same cores over loopback. Whatever one of them spends is taken from the others, so every throughput here is
		  a throughput of the whole set-up, bound by CPU, not by the network or by the database's capacity.
		- **The hop's cost shows as CPU, not as network time.** Over loopback a round trip costs microseconds; on real
		  hosts the hop through PgBouncer adds a network round trip per statement (and PgBouncer runs elsewhere, on
		  cores of its own). Here PgBouncer's work (one more process parsing every message, on a single thread) is paid
		  from the same two cores as the rest, so the difference measured is mainly that CPU. It neither predicts the
		  latency a hop adds across a network nor what a PgBouncer on its own host costs.
		- **The fleet shows the connection count, not what it buys.** With 4 JVMs on 2 cores the machine is saturated
		  long before the database is, so total throughput says little about either set-up's capacity; what it does show
		  is how many server backends each needs for the same client load, and whether queueing in PgBouncer costs
		  errors or tail latency here. What fewer backends buy on a real server (memory per backend, lock and snapshot
		  contention with hundreds of backends, headroom under max_connections) does not show at this scale.
		- **Shared machine and server.** Other work ran on the same machine and PostgreSQL server meanwhile (other
		  builds and test suites). Each run records the share of the machine's cores that processes other than the
		  benchmark's own and PostgreSQL's took during it ("others' CPU %": their CPU time over the run's seconds
		  times the cores) and the server's other connections (`server_connections_before` in `meta.env`). It is a
		  lower bound: a process that starts and ends within the run (a short test JVM) is missed entirely, and
		  PostgreSQL's backends serving others are not counted; a 0 does not prove a quiet machine.
		  Repetitions, medians and the rotated order limit their effect; they do not remove it. Compare variants
		  whose others' CPU is alike.
		- **pgbench's SELECT 1** is the smallest possible transaction, so the relative cost of the extra statements is
		  the largest it can be; with real statements that take longer, the same absolute cost is a smaller share.
	NOTE
	echo
	notes_section "$dir"

	echo "## Every run"
	echo
	if [[ -s "$tmp/hop.tsv" ]]; then
		echo "Hop:"
		echo
		echo "| rep | set-up | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | peak backends (db / server) | peak RSS MiB | others' CPU % |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		sort -k1,1n -k2,2 "$tmp/hop.tsv" | while IFS=$'\t' read -r rep mode rps p50 p99 mx n2 sk _ _ _ _ _ pdb psrv rss oc _; do
			echo "| $rep | $mode | $(num "$rps" 0) | $(num "$p50" 1) | $(num "$p99" 1) | $(num "$mx" 0) | $n2 | $sk | $pdb / $psrv | $rss | $oc |"
		done
		echo
	fi
	if [[ -s "$tmp/fleet.tsv" ]]; then
		echo "Fleet:"
		echo
		echo "| rep | set-up | pool each | total req/s | p99 worst / best ms | p50 worst ms | non-2xx | socket errors (connect/read/write/timeout) | peak backends (db / server) | PgBouncer peak waiting / maxwait ms | largest RSS MiB | others' CPU % | pooler mode per app |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		sort -k1,1n -k2,2 "$tmp/fleet.tsv" | while IFS=$'\t' read -r rep mode rps wp bp w50 n2 sk cn rd wr to pdb psrv pool w mw rss _ oc pm; do
			echo "| $rep | $mode | $pool | $(num "$rps" 0) | $(num "$wp" 1) / $(num "$bp" 1) | $(num "$w50" 1) | $n2 | $sk ($cn/$rd/$wr/$to) | $pdb / $psrv | $w / $(num "$mw" 0) | $rss | $oc | ${pm:-?} |"
		done
		echo
	fi
	if [[ -s "$tmp/setlocal.tsv" ]]; then
		echo "SET LOCAL:"
		echo
		echo "| rep | script | protocol | TPS | latency avg ms | failed | transactions | others' CPU % |"
		echo "|---|---|---|---:|---:|---:|---:|---:|"
		sort -k1,1n -k3,3 -k2,2 "$tmp/setlocal.tsv" | while IFS=$'\t' read -r rep variant protocol tps lat failed done_tx oc; do
			echo "| $rep | $variant | $protocol | $(num "$tps" 0) | $lat | $failed | $(num "$done_tx" 0) | $oc |"
		done
		echo
	fi
} >"$out"
echo "bench: summary in $out"
