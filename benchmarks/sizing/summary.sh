#!/usr/bin/env bash
# The summary of a benchmarks/sizing/run.sh run, from its raw/: SUMMARY.md in the run's folder. Per workload:
# the fixed-size sweep (median req/s and spread, median p99), the best fixed size and its noise band, adaptive
# against it (throughput, p99, time to settle, the limit's band), the advice against it; the compete part
# (the limit before, during and after pgbench); the issue's targets as PASS / FAIL / NOT JUDGED lines. A
# notes.md in the folder is included under "Notes". Needs jq.
#
#   benchmarks/sizing/summary.sh benchmarks/results/sizing-<timestamp>
set -euo pipefail
dir="${1:?usage: benchmarks/sizing/summary.sh <results dir>}"
dir="$(cd "$dir" && pwd)"
raw="$dir/raw"
out="$dir/SUMMARY.md"
command -v jq >/dev/null 2>&1 || { echo "jq is not installed (apt-get install -y jq)" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/../load/summary-lib.sh"

env_of() { grep -m1 "^$2=" "$1" 2>/dev/null | cut -d= -f2- || true; } # <file> <key>
isnum() { [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; } # <format> <expression>

# The numeric limits (column 3) of a limit.csv between two epoch ms: "<n> <min> <max> <median>" ("0" if none).
limit_stats() { # <csv> <from ms> <to ms>
	awk -F, -v a="$2" -v b="$3" 'NR > 1 && $2 >= a && $2 <= b && $3 ~ /^[0-9.]+$/ { v[++n] = $3 + 0 } END {
		if (!n) { print 0; exit }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		print n, v[1], v[n], (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }' "$1"
}
# Seconds from <load ms> to the first sample after which the limit stays within [lo, hi] until <end ms>.
settle_time() { # <csv> <load ms> <end ms> <lo> <hi>
	awk -F, -v a="$2" -v b="$3" -v lo="$4" -v hi="$5" 'NR > 1 && $2 >= a && $2 <= b && $3 ~ /^[0-9.]+$/ {
		n++; t[n] = $2; if ($3 + 0 < lo || $3 + 0 > hi) last = n } END {
		if (!n) { print "nan"; exit }
		if (!last) { print 0; exit }
		if (last == n) { printf "%.0f\n", (b - a) / 1000; exit }
		printf "%.0f\n", (t[last + 1] - a) / 1000 }' "$1"
}
# What a limit.csv column holds: "numbers" if any; else absent (no such meter), nan (no value yet) or miss (no
# answer: before the app is up), the first that occurs in that order.
column_kind() { # <csv> <column>
	awk -F, -v c="$2" 'NR > 1 { if ($c ~ /^[0-9.]+$/) num++; else k[$c]++ } END {
		if (num) print "numbers"; else if (k["absent"]) print "absent"; else if (k["nan"]) print "nan"; else if (k["miss"]) print "miss"; else print "none" }' "$1"
}
verdict() { # <PASS|FAIL|NOT JUDGED> <text>
	echo "- **$1**: $2"
}
pass_if() { if [[ "$(awk "BEGIN { print ($1) ? 1 : 0 }")" == 1 ]]; then echo PASS; else echo FAIL; fi; }

workloads=$(cfg WORKLOADS)
default_size=$(cfg DEFAULT_SIZE)
verdicts=$(mktemp)
trap 'rm -f "$verdicts"' EXIT

workload_section() { # <workload>
	local w=$1 wdir="$raw/$1" size rows best="" best_rps=0 best_p99="" best_lo="" best_hi="" s m
	[[ -d "$wdir" ]] || return 0
	echo "## $w"
	echo
	echo "wrk: $(meta "$(ls -d "$wdir"/fixed/*/ 2>/dev/null | head -n 1)" connections) connections,"\
		"\`$(jq -r '.mode' "$(ls "$wdir"/fixed/*/rep1.json 2>/dev/null | head -n 1)" 2>/dev/null || echo '?')\` mode of \`load/wrk-scenario.lua\`."
	echo
	echo "### Fixed sizes"
	echo
	echo "| max-connections | req/s median | spread (min–max) | p99 ms median (min–max) | non-2xx + socket errors | advice at the end |"
	echo "|---:|---:|---:|---:|---:|---:|"
	# size median_rps min max median_p99
	rows=$(mktemp)
	for size in $(ls "$wdir/fixed" 2>/dev/null | sort -n); do
		local d="$wdir/fixed/$size" rps=() p99=() errs=0 f
		for f in "$d"/rep*.json; do
			[[ -s "$f" ]] || continue
			IFS=$'\t' read -r r _ p _ n2 sk _ _ _ _ _ < <(wrk_row "$f")
			rps+=("$r") p99+=("$p")
			errs=$((errs + n2 + sk))
		done
		((${#rps[@]})) || continue
		read -r m lo hi < <(printf '%s\n' "${rps[@]}" | stats)
		pm=$(printf '%s\n' "${p99[@]}" | median)
		echo "$size $m $lo $hi $pm" >>"$rows"
		echo "| $size$([[ "$size" == "$default_size" ]] && echo ' (default)') | $(num "$m" 0) | $(num "$lo" 0)–$(num "$hi" 0) |" \
			"$(printf '%s\n' "${p99[@]}" | spread 1) | $errs | $(meta "$d" recommended_at_end) |"
	done
	echo
	if [[ ! -s "$rows" ]]; then
		echo "No fixed-size measurement."
		echo
		rm -f "$rows"
		return 0
	fi
	read -r best best_rps best_lo best_hi best_p99 < <(sort -k2,2gr "$rows" | head -n 1)
	local band_pct near_lo near_hi near
	band_pct=$(calc "%.1f" "($best_hi - $best_lo) / $best_rps * 100")
	# The sizes whose median lies within the best size's spread: not told apart from it by this run.
	near=$(awk -v lo="$best_lo" '$2 >= lo { print $1 }' "$rows" | sort -n | paste -sd' ' -)
	near_lo=$(echo "$near" | awk '{ print $1 }') near_hi=$(echo "$near" | awk '{ print $NF }')
	echo "**Best fixed size: $best** ($(num "$best_rps" 0) req/s, p99 $(num "$best_p99" 1) ms). Its noise band, the spread of its"
	echo "repeats: $(num "$best_lo" 0)–$(num "$best_hi" 0) req/s ($band_pct % of its median). Sizes whose median lies within it: $near.$(
		[[ "$best" == "$(ls "$wdir/fixed" | sort -n | tail -n 1)" ]] && echo " It is the sweep's largest size: the best may lie above it.")"
	echo
	rm -f "$rows"

	echo "### Adaptive"
	echo
	echo "\`$(cfg "ADAPTIVE_ARGS_$(printf '%s' "$w" | tr 'a-z-' 'A-Z_')")\`; settle time counted from the start of the load."
	echo
	echo "| repeat | req/s | % of best | p99 ms | × best's p99 | limit at load start | settles after s | band (min–max in the measured window) | advice at the end |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	local k ad_rps=() ad_p99=() ad_settle=() ad_adv=() present=0 kind=""
	for k in $(ls "$wdir/adaptive" 2>/dev/null | sort -n); do
		local d="$wdir/adaptive/$k" r p csv="$wdir/adaptive/$k/limit.csv" load ms0 ms1 st n lo hi med first settle
		[[ -s "$d/wrk.json" ]] || continue
		IFS=$'\t' read -r r _ p _ _ _ _ _ _ _ _ < <(wrk_row "$d/wrk.json")
		ad_rps+=("$r") ad_p99+=("$p")
		load=$(env_of "$d/settle.env" start_ms) ms0=$(env_of "$d/wrk.env" start_ms) ms1=$(env_of "$d/wrk.env" end_ms)
		kind=$(column_kind "$csv" 3)
		read -r n lo hi med < <(limit_stats "$csv" "$ms0" "$ms1")
		if [[ "$kind" == numbers && "$n" -gt 0 ]]; then
			present=1
			settle=$(settle_time "$csv" "$load" "$ms1" "$lo" "$hi")
			ad_settle+=("$settle")
			first=$(awk -F, -v a="$load" 'NR > 1 && $2 >= a && $3 ~ /^[0-9.]+$/ { print $3; exit }' "$csv")
			band="$(num "$lo" 0)–$(num "$hi" 0)"
		else
			settle="$kind" first="$kind" band="$kind"
		fi
		local adv
		adv=$(meta "$d" recommended_at_end)
		isnum "$adv" && ad_adv+=("$adv")
		echo "| $k | $(num "$r" 0) | $(calc "%.1f" "$r / $best_rps * 100") | $(num "$p" 1) | $(calc "%.2f" "$p / $best_p99") |" \
			"${first:-?} | $settle | $band | $adv |"
	done
	echo
	if ((${#ad_rps[@]} == 0)); then
		echo "No adaptive measurement."
		echo
	else
		local am ap
		am=$(printf '%s\n' "${ad_rps[@]}" | median) ap=$(printf '%s\n' "${ad_p99[@]}" | median)
		echo "Median: $(num "$am" 0) req/s ($(calc "%.1f" "$am / $best_rps * 100") % of the best fixed size's), p99 $(num "$ap" 1) ms"
		echo "($(calc "%.2f" "$ap / $best_p99") × the best's)$( ((${#ad_settle[@]})) && echo ", settles after $(printf '%s\n' "${ad_settle[@]}" | median) s (median)")."
		echo
		if ((present == 1)); then
			verdict "$(pass_if "$am >= 0.9 * $best_rps")" "$w: adaptive's throughput $(calc "%.1f" "$am / $best_rps * 100") % of the best fixed size ($best) (target ≥ 90 %)" >>"$verdicts"
			verdict "$(pass_if "$ap <= 1.2 * $best_p99")" "$w: adaptive's p99 $(calc "%.2f" "$ap / $best_p99") × the best's (target ≤ 1.2)" >>"$verdicts"
			local sm
			sm=$(printf '%s\n' "${ad_settle[@]}" | median)
			verdict "$(pass_if "$sm <= 60")" "$w: adaptive settles after $sm s, median of $(printf '%s\n' "${ad_settle[@]}" | paste -sd',' - | sed 's/,/, /g') s (target ≤ 60 s)" >>"$verdicts"
		else
			verdict "NOT JUDGED" "$w: adaptive (throughput, p99, settling): db.pool.sizing.limit was $kind: this build has no adaptive mode, the pool ran at a fixed size" >>"$verdicts"
		fi
	fi

	echo "### Advice"
	echo
	local fixed_adv
	fixed_adv=$(meta "$wdir/fixed/$default_size" recommended_at_end)
	echo "| read at the end of | db.pool.recommended.max-connections | off the best size ($best) |"
	echo "|---|---:|---:|"
	echo "| the fixed run at the default size ($default_size) | ${fixed_adv:-absent} | $(isnum "$fixed_adv" && calc "%+.0f %%" "($fixed_adv - $best) / $best * 100" || echo n/a) |"
	local aa=""
	if ((${#ad_adv[@]})); then
		aa=$(printf '%s\n' "${ad_adv[@]}" | median)
		echo "| the adaptive runs (median) | $aa | $(calc "%+.0f %%" "($aa - $best) / $best * 100") |"
	fi
	echo
	# The advice is judged where it was read: after the fixed run at the default size (one size seen), and after
	# the adaptive runs (the trials' sizes seen).
	local adv where
	for where in fixed adaptive; do
		if [[ $where == fixed ]]; then adv=$fixed_adv; else adv=${aa:-}; fi
		if isnum "$adv"; then
			verdict "$(pass_if "(($adv - $best) / $best <= 0.25 && ($best - $adv) / $best <= 0.25) || ($adv >= $near_lo && $adv <= $near_hi)")" \
				"$w: advice $adv after the $([[ $where == fixed ]] && echo "fixed run at $default_size" || echo "adaptive runs (median)") against the best fixed size $best ($(calc "%+.0f %%" "($adv - $best) / $best * 100"); target within 25 %, or within the sizes the noise band does not tell apart: $near_lo–$near_hi)" >>"$verdicts"
		elif [[ $where == fixed ]]; then
			verdict "NOT JUDGED" "$w: advice: db.pool.recommended.max-connections was ${fixed_adv:-absent} at the end of the fixed run at $default_size" >>"$verdicts"
		fi
	done
	echo
}

compete_section() {
	local d="$raw/compete" csv="$raw/compete/limit.csv"
	[[ -s "$d/meta.env" ]] || return 0
	echo "## Competing load: adaptive under steady, pgbench on the same server"
	echo
	local p0 p1 end load kind b d_ a
	load=$(env_of "$d/settle.env" start_ms) p0=$(meta "$d" pgbench_start_ms) p1=$(meta "$d" pgbench_end_ms)
	end=$(env_of "$d/after.env" end_ms)
	kind=$(column_kind "$csv" 3)
	echo "$(meta "$d" connections) wrk connections of key lookups: $(meta "$d" settle_s) s, then $(meta "$d" compete_s) s with \`pgbench -S -M prepared"
	echo "-c $(meta "$d" pgbench_clients) -j 2\` on its own database ($(num "$(meta "$d" pgbench_tps)" 0) tps; exit status $(meta "$d" pgbench_status)), then $(meta "$d" recover_s) s without it. The limit every second: \`raw/compete/limit.csv\`."
	echo
	echo "| phase | req/s | p99 ms | limit: median | min–max |"
	echo "|---|---:|---:|---:|---:|"
	local phase from to r p n lo hi med
	for phase in before during after; do
		case "$phase" in
			before) from=$((p0 - 10000 > load ? p0 - 10000 : load)) to=$p0 f=settle ;;
			during) from=$p0 to=$p1 f=during ;;
			after) from=$((end - 10000 > p1 ? end - 10000 : p1)) to=$end f=after ;;
		esac
		r="" p=""
		[[ -s "$d/$f.json" ]] && IFS=$'\t' read -r r _ p _ _ _ _ _ _ _ _ < <(wrk_row "$d/$f.json")
		read -r n lo hi med < <(limit_stats "$csv" "$from" "$to")
		if ((n > 0)); then
			echo "| $phase$([[ $phase != during ]] && echo " (last $(((to - from + 500) / 1000)) s)") | $(num "$r" 0) | $(num "$p" 1) | $(num "$med" 0) | $(num "$lo" 0)–$(num "$hi" 0) |"
			printf -v "lim_$phase" '%s %s' "$med" "$lo"
		else
			echo "| $phase$([[ $phase != during ]] && echo " (last $(((to - from + 500) / 1000)) s)") | $(num "$r" 0) | $(num "$p" 1) | $kind | $kind |"
		fi
	done
	echo
	echo "Req/s and p99 are those of the whole phase (before: the settling seconds)."
	echo
	if [[ -n "${lim_before:-}" && -n "${lim_during:-}" && -n "${lim_after:-}" ]]; then
		b=${lim_before% *} d_=${lim_during#* } a=${lim_after% *}
		verdict "$(pass_if "$d_ < $b && $a >= 0.9 * $b")" "competing load: the limit $(num "$b" 0) before, down to $(num "$d_" 0) during pgbench, $(num "$a" 0) after (target: lower during, back to ≥ 90 % of before after)" >>"$verdicts"
	else
		verdict "NOT JUDGED" "competing load: db.pool.sizing.limit was $kind" >>"$verdicts"
	fi
}

{
	summary_header "db-pool pool sizing: fixed sizes, adaptive and the advice" \
		"short, for checking the set-up only; these numbers speak for nothing."
	echo
	echo "The sample app's packaged jar, wrk $(cfg WRK_THREADS) threads on loopback. Fixed: a JVM per size, $(cfg WARMUP) s warm-up, then"
	echo "$(cfg REPEATS) × $(cfg DURATION) s measured back to back. Adaptive (\`app.db.pool.sizing=adaptive\`): $(cfg REPEATS) fresh JVM(s), each $(cfg SETTLE) s of"
	echo "load then $(cfg DURATION) s measured; the limit (\`db.pool.sizing.limit\`) read every second. Every run: monitor interval"
	echo "$(cfg MONITOR_INTERVAL) (the advice needs three). Medians of the repeats, spread min–max. db-work: one query of"
	echo "$(num "$(env_of "$raw/calibration.txt" median_ms)" 2) ms on the idle server (\`$(env_of "$raw/calibration.txt" query)\`, psql \\timing, median of $(env_of "$raw/calibration.txt" runs))."
	echo
	sections=$(mktemp)
	for w in $workloads; do workload_section "$w"; done >"$sections"
	compete_section >>"$sections"
	echo "## Targets"
	echo
	echo "Judged on the medians of the repeats. NOT JUDGED where the meter it needs was absent."
	echo
	cat "$verdicts"
	echo
	cat "$sections"
	rm -f "$sections"
	notes_section "$dir"
	echo "## What this machine can and cannot show"
	echo
	echo "$(machine nproc.txt) cores ($(machine cpu.txt)): the app's JVM, PostgreSQL, wrk (and pgbench) share them, over loopback,"
	echo "with other work on the machine meanwhile (\"others' CPU %\" per measurement in \`raw/**/*.env\`). A best size is the"
	echo "best of this machine's sweep, within the noise band stated; adjacent sizes inside that band are not told apart."
	echo
	echo "## Machine, versions, commands"
	echo
	machine_rows
	echo
	echo "The run: \`$(head -n 1 "$dir/commands.txt" 2>/dev/null || echo benchmarks/sizing/run.sh)\` (parameters in \`config.env\`; each JVM's"
	echo "arguments in its \`raw/**/meta.env\`)."
} >"$out"
echo "bench: summary in $out"
