# shellcheck shell=bash
# Shared by the benchmarks' summary scripts (benchmarks/pooler, replicas and sizing summary.sh):
# wrk's JSON as a row, and the median and spread of repeated measurements. Needs jq.

# wrk's JSON (benchmarks/load/wrk-scenario.lua) as: req/s p50 p99 max (ms) non-2xx socket-errors
# connect read write timeout requests
wrk_row() {
	jq -r '[.requests / (.duration_us / 1e6), .latency_us.p50 / 1000, .latency_us.p99 / 1000,
		.latency_us.max / 1000, ([.statuses | to_entries[] | select(.key | startswith("2") | not) | .value] | add // 0),
		(.errors.connect + .errors.read + .errors.write + .errors.timeout),
		.errors.connect, .errors.read, .errors.write, .errors.timeout, .requests] | @tsv' "$1"
}

# Median, min and max of the numbers on stdin.
stats() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan"; exit }
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		print m, a[1], a[NR] }'
}
# A number with <decimals> and thousands separators.
num() { # <value> <decimals>
	awk -v v="$1" -v d="$2" 'BEGIN {
		if (v == "nan" || v == "") { print "n/a"; exit }
		s = sprintf("%." d "f", v); neg = (s ~ /^-/); if (neg) s = substr(s, 2)
		split(s, p, "."); i = p[1]; o = ""
		while (length(i) > 3) { o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3) }
		o = i o; if (d > 0) o = o "." p[2]; print (neg ? "-" : "") o }'
}
# "median (min-max)" of the numbers on stdin; just the median where all are equal.
spread() { # <decimals>
	local m lo hi
	read -r m lo hi < <(stats)
	if [[ "$lo" == "$hi" ]]; then num "$m" "$1"; else echo "$(num "$m" "$1") ($(num "$lo" "$1")–$(num "$hi" "$1"))"; fi
}
median() { stats | cut -d' ' -f1; }

# What the person who ran it saw: <results dir>/notes.md under "Notes", if there is one.
notes_section() { # <results dir>
	if [[ -s "$1/notes.md" ]]; then
		echo "## Notes"
		echo
		cat "$1/notes.md"
		echo
	fi
}

# The run's settings (config.env) and machine facts (machine/), in the caller's results dir, $dir.
cfg() { grep -m1 "^$1=" "$dir/config.env" 2>/dev/null | cut -d= -f2- || true; }
# A measurement's own facts: <measurement dir>/meta.env.
meta() { grep -m1 "^$2=" "$1/meta.env" 2>/dev/null | cut -d= -f2- || true; }
machine() { [[ -f "$dir/machine/$1" ]] && head -n "${2:-1}" "$dir/machine/$1" | paste -sd' ' - || echo unknown; }


# The machine table's rows every run has: cores, memory, JDK, PostgreSQL (then, after a comma, what the caller
# adds), wrk; a summary adds its own rows after them.
machine_rows() { # [what follows PostgreSQL's version]
	echo "| | |"
	echo "|---|---|"
	echo "| cores | $(machine nproc.txt) ($(machine cpu.txt)) |"
	echo "| memory | $(awk '/^Mem:/ { print $2 " GiB" }' "$dir/machine/free.txt" 2>/dev/null || echo unknown) |"
	echo "| JDK | $(machine java.txt 2) |"
	echo "| PostgreSQL | $(machine postgres.txt)${1:+, $1} |"
	echo "| wrk | $(machine wrk.txt) |"
}
# A summary's first lines: its title, a SMOKE RUN banner where the run was one, and the run's commit and wall time.
summary_header() { # <title> <what the smoke banner says after "**SMOKE RUN**: ">
	echo "# $1"
	echo
	if [[ "$(cfg SMOKE)" == 1 ]]; then
		echo "**SMOKE RUN**: $2"
		echo
	fi
	echo "Run: \`$(basename "$dir")\`, git commit $(machine git.txt 2), $(cat "$dir/wall-seconds.txt" 2>/dev/null || echo '?') s of wall time."
}
