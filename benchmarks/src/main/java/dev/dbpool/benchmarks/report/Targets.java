package dev.dbpool.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.dbpool.benchmarks.report.Model.JmhScore;
import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Run;
import dev.dbpool.benchmarks.report.Model.Verdict;
import org.jspecify.annotations.Nullable;

/**
 * The targets, judged from the numbers of a run: PASS, MISS, or NOT JUDGED when a
 * number it needs was not measured. A MISS carries what the numbers show about why; the
 * lead adds the reason behind it in the report's notes.
 */
final class Targets {

	static final String PASS = "PASS";

	static final String MISS = "MISS";

	static final String NOT_JUDGED = "NOT JUDGED";

	/** steady: p99 under this many milliseconds. */
	static final double STEADY_P99_MS = 25;

	/** steady: at least this many times no-pool's throughput. */
	static final double NO_POOL_FACTOR = 10;

	/** overload: at least this share of steady's throughput. */
	static final double OVERLOAD_SHARE = 0.80;

	/**
	 * Connections db-pool holds beside its pool: the server-side view's, on by default.
	 */
	static final int SIDE_CONNECTIONS = 1;

	/** JMH: the borrow/return cycle at least this share of bare HikariCP's throughput. */
	static final double CYCLE_SHARE = 0.97;

	static final String CYCLE = "BorrowPathBenchmark.getConnectionAndClose";

	static final String ROUND_TRIP = "BorrowPathBenchmark.preparedSelectOne";

	static final String GUARD_CYCLE = "GuardCostBenchmark.getConnectionAndClose";

	/**
	 * Each guard variant of {@link #GUARD_CYCLE} and the HikariCP variant it is compared
	 * with, configured alike but for the guard.
	 */
	static final List<List<String>> GUARD_PAIRS = List.of(List.of("guards-off", "bare"), List.of("max-waiting", "bare"),
			List.of("leak-counting", "bare-leak-detection"));

	private Targets() {
	}

	static List<Verdict> judge(Run run) {
		List<Verdict> verdicts = new ArrayList<>();
		for (String mode : judgedModes(run)) {
			judgeLoad(run, mode, verdicts);
		}
		judgeJmh(run, verdicts);
		judgeGuards(run, verdicts);
		return verdicts;
	}

	/**
	 * The modes the targets speak of: db-pool, and every other mode of the starter
	 * (db-pool-oltp, later features' modes).
	 */
	static List<String> judgedModes(Run run) {
		return run.load().stream().map(LoadRun::mode).filter((mode) -> mode.startsWith("db-pool")).distinct().toList();
	}

	private static void judgeLoad(Run run, String mode, List<Verdict> verdicts) {
		LoadRun steady = run.load(mode, "steady");
		LoadRun overload = run.load(mode, "overload");
		LoadRun noPool = run.load("no-pool", "steady");
		WrkResult s = wrk(steady);
		WrkResult o = wrk(overload);

		if (s == null) {
			verdicts.add(notJudged(mode, "steady: zero errors", "steady was not measured"));
			verdicts.add(notJudged(mode, "steady: p99 under 25 ms", "steady was not measured"));
		}
		else {
			verdicts.add(new Verdict("load", "steady: zero errors", mode,
					s.non2xx() + " non-2xx, " + s.socketErrors() + " socket errors of " + s.requests() + " requests",
					s.errorFree() ? PASS : MISS, s.errorFree() ? "" : errorNote(s)));
			boolean fast = s.p99Ms() < STEADY_P99_MS;
			verdicts.add(new Verdict("load", "steady: p99 under 25 ms", mode, "p99 " + ms(s.p99Ms()),
					fast ? PASS : MISS, fast ? "" : p99Note(run, steady, s)));
		}
		WrkResult n = wrk(noPool);
		if (s == null || n == null) {
			verdicts.add(notJudged(mode, "steady: at least 10x no-pool's throughput",
					(s == null) ? "steady was not measured" : "no-pool's steady was not measured"));
		}
		else {
			double factor = (n.throughput() > 0) ? s.throughput() / n.throughput() : Double.POSITIVE_INFINITY;
			verdicts.add(new Verdict("load", "steady: at least 10x no-pool's throughput", mode,
					rps(s.throughput()) + " vs no-pool " + rps(n.throughput()) + " req/s: " + times(factor),
					(factor >= NO_POOL_FACTOR) ? PASS : MISS,
					(factor >= NO_POOL_FACTOR) ? "" : "no-pool served " + rps(n.throughput()) + " req/s with "
							+ n.non2xx() + " non-2xx and " + n.socketErrors() + " socket errors"));
		}
		if (o == null || overload == null) {
			verdicts
				.add(notJudged(mode, "overload: never past the server's max_connections", "overload was not measured"));
			verdicts.add(notJudged(mode, "overload: every request answered", "overload was not measured"));
			verdicts.add(notJudged(mode, "overload: throughput within 80 % of steady's", "overload was not measured"));
			return;
		}
		long max = run.machine().maxConnections();
		long tooMany = overload.tooManyClients();
		long poolMax = RunReader.parseLong(overload.poolMax());
		// Every mode judged here is db-pool's, whose server-side view (on by default)
		// holds
		// one connection beside the pool.
		boolean withinServer = tooMany == 0 && (max <= 0 || overload.peakServerConnections() < max)
				&& (poolMax < 0 || overload.peakDbConnections() <= poolMax + SIDE_CONNECTIONS);
		verdicts.add(new Verdict("load", "overload: never past the server's max_connections", mode,
				"peak " + overload.peakDbConnections() + " connections to the benchmark database (pool max "
						+ overload.poolMax() + " + " + SIDE_CONNECTIONS + " server-view side connection), "
						+ overload.peakServerConnections() + " on the server (max_connections " + max
						+ "); 'too many clients' lines: " + overload.appLogTooManyClients() + " in the app's log, "
						+ overload.serverLogTooManyClients() + " in the server's",
				withinServer ? PASS : MISS, withinServer ? ""
						: "the app's or the server's log reports refused connections, or the peak exceeds the pool's size"));
		long unanswered = o.socketErrors() + (o.non2xx() - o.status503());
		verdicts.add(new Verdict("load", "overload: every request answered (2xx, or a fast 503)", mode,
				o.requests() + " responses: " + (o.non2xx() - o.status503()) + " non-2xx other than 503, "
						+ o.status503() + " 503; socket errors: " + socketErrors(o),
				(unanswered == 0) ? PASS : MISS, (unanswered == 0) ? "" : errorNote(o)));
		if (s == null) {
			verdicts.add(notJudged(mode, "overload: throughput within 80 % of steady's", "steady was not measured"));
		}
		else {
			double share = (s.throughput() > 0) ? o.throughput() / s.throughput() : 0;
			verdicts.add(new Verdict("load", "overload: throughput within 80 % of steady's", mode,
					rps(o.throughput()) + " vs steady " + rps(s.throughput()) + " req/s: " + percent(share),
					(share >= OVERLOAD_SHARE) ? PASS : MISS, (share >= OVERLOAD_SHARE) ? "" : "overload latency p99 "
							+ ms(o.p99Ms()) + ", " + o.timeouts() + " timeouts at wrk's --timeout"));
		}
	}

	private static void judgeJmh(Run run, List<Verdict> verdicts) {
		for (int threads : run.jmh().stream().mapToInt(JmhScore::threads).distinct().sorted().toArray()) {
			JmhScore bare = score(run, CYCLE, "bare", threads);
			JmhScore dbPool = score(run, CYCLE, "db-pool", threads);
			JmhScore boot = score(run, CYCLE, "boot-default", threads);
			String target = "JMH: getConnection()/close() within 3 % of bare HikariCP";
			String subject = threads + " thread" + ((threads == 1) ? "" : "s");
			if (bare != null && dbPool != null) {
				double ratio = dbPool.score() / bare.score();
				String measured = "db-pool/bare " + ratio(ratio)
						+ ((boot != null) ? ", db-pool/boot-default " + ratio(dbPool.score() / boot.score()) : "");
				String note = "";
				if (ratio < CYCLE_SHARE && boot != null && dbPool.score() / boot.score() >= CYCLE_SHARE) {
					note = "Spring Boot's own pool costs the same (boot-default/bare "
							+ ratio(boot.score() / bare.score())
							+ "): the difference is Boot's Micrometer tracker on the borrow path, not db-pool's";
				}
				verdicts.add(new Verdict("jmh", target, subject, measured, (ratio >= CYCLE_SHARE) ? PASS : MISS, note));
			}
			bare = score(run, ROUND_TRIP, "bare", threads);
			dbPool = score(run, ROUND_TRIP, "db-pool", threads);
			target = "JMH: prepared SELECT 1 round trip, no measurable difference from bare";
			if (bare != null && dbPool != null) {
				double ratio = dbPool.score() / bare.score();
				String measured = "db-pool/bare " + ratio(ratio) + " (" + score(dbPool) + " vs " + score(bare) + ")";
				if (Double.isNaN(bare.error()) || Double.isNaN(dbPool.error())) {
					verdicts.add(new Verdict("jmh", target, subject, measured, NOT_JUDGED,
							"no confidence interval: too few measurement iterations"));
				}
				else {
					boolean overlap = Math.abs(dbPool.score() - bare.score()) <= dbPool.error() + bare.error();
					verdicts.add(new Verdict("jmh", target, subject, measured, overlap ? PASS : MISS,
							overlap ? "" : "the 99.9 % confidence intervals do not overlap"));
				}
			}
		}
	}

	private static void judgeGuards(Run run, List<Verdict> verdicts) {
		for (int threads : run.jmh().stream().mapToInt(JmhScore::threads).distinct().sorted().toArray()) {
			for (List<String> pair : GUARD_PAIRS) {
				JmhScore guard = score(run, GUARD_CYCLE, pair.get(0), threads);
				JmhScore reference = score(run, GUARD_CYCLE, pair.get(1), threads);
				if (guard == null || reference == null) {
					continue;
				}
				double ratio = guard.score() / reference.score();
				verdicts.add(new Verdict("jmh", "JMH: a guard on the borrow path costs at most 3 % of HikariCP's cycle",
						pair.get(0) + ", " + threads + " thread" + ((threads == 1) ? "" : "s"),
						pair.get(0) + "/" + pair.get(1) + " " + ratio(ratio) + " (" + score(guard) + " vs "
								+ score(reference) + ")",
						(ratio >= CYCLE_SHARE) ? PASS : MISS, ""));
			}
		}
	}

	static @Nullable JmhScore score(Run run, String benchmark, String variant, int threads) {
		return run.jmh()
			.stream()
			.filter((s) -> s.benchmark().equals(benchmark) && s.variant().equals(variant) && s.threads() == threads)
			.findFirst()
			.orElse(null);
	}

	private static String p99Note(Run run, LoadRun steady, WrkResult s) {
		Model.HttpCeiling http = run.httpCeiling(steady.connections());
		String note = "p50 " + ms(s.p50Ms()) + ", p95 " + ms(s.p95Ms()) + " at " + rps(s.throughput()) + " req/s";
		if (http != null && http.wrk() != null) {
			note += "; the HTTP ceiling (/ping, no database) has p99 " + ms(http.wrk().p99Ms()) + " at "
					+ rps(http.wrk().throughput()) + " req/s on the same connections";
		}
		return note;
	}

	private static String errorNote(WrkResult w) {
		return "statuses " + w.statuses() + "; socket errors: " + socketErrors(w);
	}

	private static String socketErrors(WrkResult w) {
		return w.connectErrors() + " connect, " + w.readErrors() + " read, " + w.writeErrors() + " write, "
				+ w.timeouts() + " timeout";
	}

	private static @Nullable WrkResult wrk(@Nullable LoadRun run) {
		return (run != null) ? run.wrk() : null;
	}

	private static Verdict notJudged(String mode, String target, String why) {
		return new Verdict("load", target, mode, "", NOT_JUDGED, why);
	}

	static String ms(double ms) {
		return String.format(Locale.ROOT, (ms < 10) ? "%.2f ms" : "%.1f ms", ms);
	}

	static String rps(double rps) {
		return String.format(Locale.ROOT, "%,.0f", rps);
	}

	static String percent(double share) {
		return String.format(Locale.ROOT, "%.0f %%", share * 100);
	}

	static String times(double factor) {
		return String.format(Locale.ROOT, "%.1fx", factor);
	}

	static String ratio(double ratio) {
		return String.format(Locale.ROOT, "%.3f", ratio);
	}

	static String score(JmhScore score) {
		String error = Double.isNaN(score.error()) ? "" : String.format(Locale.ROOT, " ± %,.0f", score.error());
		return String.format(Locale.ROOT, "%,.0f", score.score()) + error + " " + score.unit();
	}

}
