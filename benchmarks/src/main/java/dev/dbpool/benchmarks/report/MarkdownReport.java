package dev.dbpool.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.dbpool.benchmarks.report.Model.DbCeiling;
import dev.dbpool.benchmarks.report.Model.HttpCeiling;
import dev.dbpool.benchmarks.report.Model.JmhScore;
import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Machine;
import dev.dbpool.benchmarks.report.Model.Run;
import dev.dbpool.benchmarks.report.Model.Verdict;

/**
 * The run's report in Markdown: the machine and the commands, each target's verdict, and
 * a table per benchmark, with the charts {@link Charts} draws beside it.
 */
final class MarkdownReport {

	private final Run run;

	private final String title;

	private final StringBuilder out = new StringBuilder();

	MarkdownReport(Run run, String title) {
		this.run = run;
		this.title = title;
	}

	String render() {
		line("# db-pool benchmarks: " + this.title);
		line();
		if (!this.run.issueSized()) {
			line("> **SMOKE RUN: not the issue's full size.** Its numbers are not the benchmark, and the verdicts below do");
			line("> not speak for the targets. Differences from the issue's parameters:");
			this.run.deviations().forEach((d) -> line("> - " + d));
			this.run.partial().forEach((d) -> line("> - " + d));
			line();
		}
		else if (!this.run.partial().isEmpty()) {
			line("> **PARTIAL RUN: the issue's size, but not all of its set.** Its numbers stand for what it measured;");
			line("> a target that needs what it left out is NOT JUDGED. Left out:");
			this.run.partial().forEach((d) -> line("> - " + d));
			line();
		}
		machine();
		targets();
		load();
		sweep();
		jmh();
		line("## Notes");
		line();
		line("<!-- Whoever publishes this run: for every MISS above, say why here (what the numbers show, what it means for users). -->");
		line();
		line("- Latencies are wrk's, measured from the first byte sent to the last byte received, of the responses that");
		line("  arrived; a request without a response within wrk's `--timeout` counts as a timeout error, not as latency.");
		line("- Error rates: non-2xx over responses; socket errors (connect, read, write, timeout) over responses plus socket errors.");
		line("- Peak connections are sampled from `pg_stat_activity` every 0.5 s; peak RSS is the app's `VmHWM`.");
		return this.out.toString();
	}

	private void machine() {
		Machine m = this.run.machine();
		line("## Machine");
		line();
		line("| cores | memory | CPU | JDK | PostgreSQL | kernel | max_connections | wrk | commit |");
		line("|---|---|---|---|---|---|---|---|---|");
		line(row(m.cores(), m.memory(), m.cpu(), m.java(), m.postgres(), m.kernel(),
				m.maxConnections() + " (" + m.superuserReservedConnections() + " reserved)", m.wrk(), m.gitCommit()));
		line();
		line("Command" + ((this.run.commands().size() == 1) ? "" : "s") + ":");
		line();
		line("```bash");
		this.run.commands().forEach(this::line);
		line("```");
		line();
	}

	private void targets() {
		line("## Targets");
		line();
		if (this.run.verdicts().isEmpty()) {
			line("No target could be judged: this run measured none of the numbers they need.");
			line();
			return;
		}
		line("| target | subject | measured | verdict | note |");
		line("|---|---|---|---|---|");
		for (Verdict v : this.run.verdicts()) {
			String verdict = switch (v.verdict()) {
				case Targets.PASS -> "PASS";
				case Targets.MISS -> "**MISS**";
				default -> v.verdict();
			};
			line(row(v.target(), v.subject(), v.measured(), verdict, v.note()));
		}
		line();
	}

	private void load() {
		line("## 1. Load: before and after");
		line();
		if (this.run.load().isEmpty()) {
			line("Not run in this run.");
			line();
			return;
		}
		Map<String, String> config = this.run.configs().getOrDefault("load", Map.of());
		line("The sample app's jar in each mode, in turn, against the same PostgreSQL, driven on loopback by wrk ("
				+ config.getOrDefault("WRK_THREADS", "2") + " threads, `--timeout "
				+ config.getOrDefault("WRK_TIMEOUT", "5s") + "`), after a " + config.getOrDefault("WARMUP", "?")
				+ " s warm-up. `steady`: " + config.getOrDefault("STEADY_CONNS", "?")
				+ " connections on `GET /customers/{id}` (random ids); `overload`: "
				+ config.getOrDefault("OVERLOAD_CONNS", "?") + " connections on the same; `slow-mix`: "
				+ config.getOrDefault("SLOWMIX_CONNS", "?") + " connections, "
				+ config.getOrDefault("SLOW_PERCENT", "10") + " % of requests `GET /work?holdMs="
				+ config.getOrDefault("SLOW_HOLD_MS", "200") + "`. Each for " + config.getOrDefault("DURATION", "?")
				+ " s. Tomcat at its defaults (200 threads, accept queue 100)"
				+ (this.run.load().stream().anyMatch(LoadRun::virtualThreads)
						? "; on virtual threads, a thread per request instead of the 200" : "")
				+ ".");
		line();
		jvms();
		line("| mode | scenario | conns | pool max | requests | req/s | non-2xx | socket errors (c/r/w/t) | avg | p50 | p95 | p99 | max | peak DB conns | peak RSS | too many clients |");
		line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
		for (LoadRun r : this.run.load()) {
			loadRow(r, true);
		}
		line();
		line("![Throughput per mode](load-throughput.png)");
		line();
		line("![Latency percentiles per mode](load-latency.png)");
		line();
		ceilings();
	}

	/**
	 * Each mode's JVM and request threads: the modes need not share one (db-pool-virtual
	 * runs on a JDK 25).
	 */
	private void jvms() {
		line("Each mode's JVM and request threads (the ceilings ran on the machine's JDK, above):");
		line();
		line("| mode | JDK | java | request threads |");
		line("|---|---|---|---|");
		Set<List<String>> rows = new LinkedHashSet<>();
		for (LoadRun r : this.run.load()) {
			rows.add(List.of(r.mode(), r.javaVersion(), r.java().isEmpty() ? "not recorded" : "`" + r.java() + "`",
					r.virtualThreads() ? "virtual, one per request (`spring.threads.virtual.enabled=true`)"
							: "Tomcat's platform threads (200)"));
		}
		rows.forEach((cells) -> line(row(cells.toArray(String[]::new))));
		line();
	}

	private void loadRow(LoadRun r, boolean withPoolMax) {
		List<String> cells = new ArrayList<>(List.of(r.mode(), r.scenario(), Long.toString(r.connections())));
		if (withPoolMax) {
			cells.add(r.poolMax());
		}
		WrkResult w = r.wrk();
		if (w == null) {
			cells.add("no wrk result");
		}
		else {
			cells.addAll(List.of(Long.toString(w.requests()), Targets.rps(w.throughput()),
					w.non2xx() + " (" + pct(w.non2xxRate()) + ")",
					w.connectErrors() + "/" + w.readErrors() + "/" + w.writeErrors() + "/" + w.timeouts() + " ("
							+ pct(w.socketErrorRate()) + ")",
					Targets.ms(w.latencyAvgMs()), Targets.ms(w.p50Ms()), Targets.ms(w.p95Ms()), Targets.ms(w.p99Ms()),
					Targets.ms(w.maxMs()), Long.toString(r.peakDbConnections()),
					String.format(Locale.ROOT, "%.0f MiB", r.peakRssMiB()),
					r.appLogTooManyClients() + " app / " + r.serverLogTooManyClients() + " server"));
		}
		line(row(cells.toArray(String[]::new)));
	}

	private void ceilings() {
		line("### Ceilings of this machine");
		line();
		if (this.run.httpCeilings().isEmpty() && this.run.dbCeilings().isEmpty()) {
			line("Not measured in this run (`CEILINGS=0`).");
			line();
			return;
		}
		line("HTTP ceiling: the same app (db-pool mode) on `GET /ping`, which touches no database. Database ceiling: `pgbench -S`"
				+ " (one primary-key SELECT per transaction) on the same server, its clients capped below the server's"
				+ " `max_connections`.");
		line();
		line("| connections | HTTP ceiling req/s | HTTP p99 | DB ceiling tps | pgbench clients (capped by) | protocol |");
		line("|---|---|---|---|---|---|");
		Set<Long> counts = new LinkedHashSet<>();
		this.run.httpCeilings().forEach((c) -> counts.add(c.connections()));
		this.run.dbCeilings().forEach((c) -> counts.add(c.connections()));
		for (long count : counts) {
			HttpCeiling http = this.run.httpCeiling(count);
			DbCeiling db = this.run.dbCeiling(count);
			line(row(Long.toString(count),
					(http != null && http.wrk() != null) ? Targets.rps(http.wrk().throughput()) : "",
					(http != null && http.wrk() != null) ? Targets.ms(http.wrk().p99Ms()) : "",
					(db != null) ? Targets.rps(db.tps()) : "",
					(db != null) ? db.clients() + " (" + db.capReason() + ")" : "", (db != null) ? db.protocol() : ""));
		}
		line();
		line("Each mode as a share of both ceilings at the same connection count:");
		line();
		line("| mode | scenario | req/s | of the HTTP ceiling | of the DB ceiling |");
		line("|---|---|---|---|---|");
		for (LoadRun r : this.run.load()) {
			if (r.wrk() == null) {
				continue;
			}
			HttpCeiling http = this.run.httpCeiling(r.connections());
			DbCeiling db = this.run.dbCeiling(r.connections());
			line(row(r.mode(), r.scenario(), Targets.rps(r.wrk().throughput()),
					(http != null && http.wrk() != null && http.wrk().throughput() > 0)
							? pct(r.wrk().throughput() / http.wrk().throughput()) : "",
					(db != null && db.tps() > 0) ? pct(r.wrk().throughput() / db.tps()) : ""));
		}
		line();
	}

	private void sweep() {
		line("## 2. Pool-size sweep");
		line();
		if (this.run.sweep().isEmpty()) {
			line("Not run in this run.");
			line();
			return;
		}
		line("db-pool mode at each `app.db.pool.max-connections` (min-connections = min(5, size)), `steady` and `overload` as above.");
		line();
		line("| max-connections | scenario | conns | requests | req/s | non-2xx | socket errors (c/r/w/t) | avg | p50 | p95 | p99 | max | peak DB conns | peak RSS | too many clients |");
		line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
		for (LoadRun r : this.run.sweep()) {
			loadRow(r, false);
		}
		line();
		Long steadyKnee = Sweep.knee(this.run, "steady");
		Long overloadKnee = Sweep.knee(this.run, "overload");
		line("The knee, the smallest pool within " + pct(Sweep.KNEE_SHARE) + " of the best throughput measured: **"
				+ ((steadyKnee != null) ? steadyKnee : "n/a") + "** in steady, **"
				+ ((overloadKnee != null) ? overloadKnee : "n/a") + "** in overload (sizes measured: "
				+ Sweep.sizes(this.run) + ").");
		line();
		line("| db-pool setting | max-connections | against this machine's knee (steady) |");
		line("|---|---|---|");
		for (Map.Entry<String, Integer> preset : Sweep.PRESETS.entrySet()) {
			String name = preset.getKey().equals("default") ? "defaults" : "profile `" + preset.getKey() + "`";
			line(row(name, Integer.toString(preset.getValue()),
					Sweep.placement(this.run, preset.getValue(), steadyKnee)));
		}
		line();
		line("![Throughput and p99 against pool size](sweep.png)");
		line();
	}

	private void jmh() {
		line("## 3. JMH: the starter's own cost");
		line();
		List<JmhScore> scores = this.run.jmh();
		if (scores.isEmpty()) {
			line("Not run in this run.");
			line();
			return;
		}
		Map<String, String> config = this.run.configs().getOrDefault("jmh", Map.of());
		line("Throughput (ops/s, higher is better; ± half the 99.9 % confidence interval) on a bare `HikariDataSource`, on Spring"
				+ " Boot's own pool with its Micrometer tracker (boot-default) and on the `DataSource` db-pool gives the"
				+ " application with every feature on (db-pool); pool size " + config.getOrDefault("JMH_POOL", "20")
				+ ", each variant in its own fork of one JMH run"
				+ (config.getOrDefault("JMH_ARGS", "").isEmpty() ? ""
						: " (JMH options `" + config.get("JMH_ARGS") + "`)")
				+ ". A ratio of 1.000 is no difference; below 1, db-pool is slower.");
		line();
		line("| benchmark | threads | bare | boot-default | db-pool | db-pool/bare | db-pool/boot-default |");
		line("|---|---|---|---|---|---|---|");
		for (String benchmark : List.of(Targets.CYCLE, Targets.ROUND_TRIP)) {
			for (int threads : scores.stream().mapToInt(JmhScore::threads).distinct().sorted().toArray()) {
				JmhScore bare = Targets.score(this.run, benchmark, "bare", threads);
				JmhScore boot = Targets.score(this.run, benchmark, "boot-default", threads);
				JmhScore dbPool = Targets.score(this.run, benchmark, "db-pool", threads);
				if (bare == null && boot == null && dbPool == null) {
					continue;
				}
				line(row(benchmark.substring(benchmark.indexOf('.') + 1), Integer.toString(threads),
						(bare != null) ? Targets.score(bare) : "", (boot != null) ? Targets.score(boot) : "",
						(dbPool != null) ? Targets.score(dbPool) : "",
						(bare != null && dbPool != null) ? Targets.ratio(dbPool.score() / bare.score()) : "",
						(boot != null && dbPool != null) ? Targets.ratio(dbPool.score() / boot.score()) : ""));
			}
		}
		line();
		line("![JMH ratios](jmh.png)");
		line();
		guards(scores);
		line("### Cost per call of the health check and the monitor");
		line();
		line("| call | average time | |");
		line("|---|---|---|");
		scores.stream()
			.filter((s) -> s.benchmark().startsWith("FeatureCostBenchmark."))
			.forEach((s) -> line(row(label(s), Targets.score(s), "")));
		Model.Features features = this.run.features();
		if (features != null) {
			if (!features.health()) {
				line(row("db-pool health indicator", "NOT RUN", features.healthDetail()));
			}
			if (!features.monitor()) {
				line(row("db-pool monitor", "NOT RUN", features.monitorDetail()));
			}
		}
		line();
	}

	private void guards(List<JmhScore> scores) {
		if (scores.stream().noneMatch((s) -> s.benchmark().equals(Targets.GUARD_CYCLE))) {
			return;
		}
		line("### The guards on the borrow path");
		line();
		line("`getConnection()`/`close()` on db-pool's `DbPoolDataSource` against a bare `HikariDataSource` configured"
				+ " alike but for the guard, no Spring, no meters (`GuardCostBenchmark`). leak-counting is compared"
				+ " with HikariCP's own leak detection at the same threshold, which it builds on.");
		line();
		line("| threads | guard | ops/s | reference | ops/s | ratio |");
		line("|---|---|---|---|---|---|");
		for (int threads : scores.stream().mapToInt(JmhScore::threads).distinct().sorted().toArray()) {
			for (List<String> pair : Targets.GUARD_PAIRS) {
				JmhScore guard = Targets.score(this.run, Targets.GUARD_CYCLE, pair.get(0), threads);
				JmhScore reference = Targets.score(this.run, Targets.GUARD_CYCLE, pair.get(1), threads);
				if (guard != null && reference != null) {
					line(row(Integer.toString(threads), pair.get(0), Targets.score(guard), pair.get(1),
							Targets.score(reference), Targets.ratio(guard.score() / reference.score())));
				}
			}
		}
		line();
	}

	private static String label(JmhScore score) {
		if (score.benchmark().endsWith("healthCheck")) {
			return switch (score.variant()) {
				case "db-pool" -> "db-pool health indicator `health()`";
				case "boot-db" -> "Spring Boot's `db` indicator `health()` (borrows and validates a connection)";
				default -> "health indicator " + score.variant();
			};
		}
		return "db-pool monitor `" + score.variant() + "()`";
	}

	private static String pct(double share) {
		return String.format(Locale.ROOT, (share > 0 && share < 0.001) ? "%.3f %%" : "%.1f %%", share * 100);
	}

	private static String row(String... cells) {
		StringBuilder row = new StringBuilder("|");
		for (String cell : cells) {
			row.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
		}
		return row.toString();
	}

	private void line(String text) {
		this.out.append(text).append('\n');
	}

	private void line() {
		this.out.append('\n');
	}

}
