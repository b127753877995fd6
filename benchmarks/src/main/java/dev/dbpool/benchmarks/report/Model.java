package dev.dbpool.benchmarks.report;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * What one benchmark run measured, as read from its directory; serialised as
 * {@code results.json}.
 */
final class Model {

	private static final Pattern JAVA_VERSION = Pattern.compile("version \"(1\\.)?(\\d+)");

	private Model() {
	}

	/**
	 * The feature release of a {@code java -version} text: "17", "25"; empty if it names
	 * none.
	 * @param javaVersion what {@code java -version} wrote
	 * @return the feature release
	 */
	static String javaRelease(String javaVersion) {
		Matcher matcher = JAVA_VERSION.matcher(javaVersion);
		return matcher.find() ? matcher.group(2) : "";
	}

	/**
	 * The machine the run was on.
	 *
	 * @param cores logical processors ({@code nproc})
	 * @param memory {@code free -g}'s total, in GiB
	 * @param cpu the processor model
	 * @param java {@code java -version}'s first lines
	 * @param postgres {@code select version()}
	 * @param kernel {@code uname -r}
	 * @param maxConnections the server's {@code max_connections}
	 * @param superuserReservedConnections the server's
	 * {@code superuser_reserved_connections}
	 * @param wrk wrk's version
	 * @param pgbench pgbench's version
	 * @param gitCommit the commit benchmarked ("dirty" if the tree had changes)
	 */
	record Machine(String cores, String memory, String cpu, String java, String postgres, String kernel,
			long maxConnections, long superuserReservedConnections, String wrk, String pgbench, String gitCommit) {
	}

	/**
	 * One mode (or pool size) in one scenario.
	 *
	 * @param mode the app's mode
	 * @param scenario steady, overload or slow-mix
	 * @param connections wrk's connections
	 * @param durationSeconds measured seconds
	 * @param poolMax the pool's maximum size ("none" without a pool)
	 * @param appArgs the app's mode arguments
	 * @param java the java command the app ran on (empty if the run did not record it)
	 * @param javaVersion that java's {@code -version} (the machine's JDK for runs that
	 * did not record their own: they all ran on it)
	 * @param virtualThreads whether the app handled requests on virtual threads
	 * ({@code spring.threads.virtual.enabled=true} in its arguments)
	 * @param wrk the load generator's result, null if it wrote none
	 * @param peakDbConnections most backends on the benchmark database at one sample
	 * @param peakServerConnections most client backends on the whole server at one sample
	 * @param serverConnectionsBefore client backends before the app started (other users)
	 * @param connectionSamples samples taken (every 0.5 s)
	 * @param connectionSamplesMissed samples the server refused
	 * @param peakRssMiB the app's peak resident memory (VmHWM)
	 * @param appLogTooManyClients "too many clients/connections" lines in the app's log
	 * during the measurement
	 * @param serverLogTooManyClients the same in the server's log ("unknown" if
	 * unreadable)
	 */
	record LoadRun(String mode, String scenario, long connections, long durationSeconds, String poolMax, String appArgs,
			String java, String javaVersion, boolean virtualThreads, @Nullable WrkResult wrk, long peakDbConnections,
			long peakServerConnections, long serverConnectionsBefore, long connectionSamples,
			long connectionSamplesMissed, double peakRssMiB, long appLogTooManyClients,
			String serverLogTooManyClients) {

		long tooManyClients() {
			long server = 0;
			try {
				server = Long.parseLong(this.serverLogTooManyClients);
			}
			catch (NumberFormatException ex) {
				// unknown: only the app's log counts
			}
			return this.appLogTooManyClients + server;
		}

	}

	/**
	 * The database ceiling at one connection count: {@code pgbench -S}.
	 *
	 * @param connections the scenarios' connection count
	 * @param clients pgbench clients used (capped below the server's limit)
	 * @param capReason what capped the clients
	 * @param protocol pgbench's query protocol
	 * @param tps transactions (one primary-key SELECT each) per second
	 * @param latencyAvgMs pgbench's average latency
	 * @param failed failed transactions
	 */
	record DbCeiling(long connections, long clients, String capReason, String protocol, double tps, double latencyAvgMs,
			long failed) {
	}

	/**
	 * The HTTP ceiling at one connection count: wrk on {@code GET /ping}.
	 *
	 * @param connections wrk's connections
	 * @param wrk the result
	 */
	record HttpCeiling(long connections, @Nullable WrkResult wrk) {
	}

	/**
	 * One JMH score.
	 *
	 * @param benchmark the benchmark method
	 * @param variant the pool variant or health indicator
	 * @param threads JMH threads
	 * @param score the score
	 * @param error half the 99.9 % confidence interval (NaN with too few iterations)
	 * @param unit the score's unit
	 */
	record JmhScore(String benchmark, String variant, int threads, double score, double error, String unit) {
	}

	/**
	 * db-pool's features the per-call benchmark looked for.
	 *
	 * @param health whether db-pool's health indicator was there
	 * @param healthDetail its class, or why it was not measured
	 * @param monitor whether db-pool's monitor was there
	 * @param monitorDetail its call, or why it was not measured
	 */
	record Features(boolean health, String healthDetail, boolean monitor, String monitorDetail) {
	}

	/**
	 * A target from the issue and its verdict.
	 *
	 * @param section load, sweep or jmh
	 * @param target the target, as the issue states it
	 * @param subject what was judged (a mode, a benchmark)
	 * @param measured the numbers it was judged on
	 * @param verdict PASS, MISS or NOT JUDGED
	 * @param note why, where it missed or could not be judged
	 */
	record Verdict(String section, String target, String subject, String measured, String verdict, String note) {
	}

	/**
	 * Everything a run measured.
	 *
	 * @param machine the machine
	 * @param commands the commands that made the run
	 * @param configs each piece's parameters
	 * @param issueSized whether every measurement was of the issue's size (a smoke run if
	 * not)
	 * @param deviations how a smaller run differs from the issue's size
	 * @param partial what of the issue's set the run left out (modes, scenarios,
	 * ceilings)
	 * @param load the load runs, per mode and scenario
	 * @param httpCeilings the HTTP ceilings
	 * @param dbCeilings the database ceilings
	 * @param sweep the pool-size sweep's runs (mode = pool size)
	 * @param jmh the JMH scores
	 * @param features what the per-call benchmark could measure
	 * @param verdicts the targets' verdicts
	 */
	record Run(Machine machine, List<String> commands, Map<String, Map<String, String>> configs, boolean issueSized,
			List<String> deviations, List<String> partial, List<LoadRun> load, List<HttpCeiling> httpCeilings,
			List<DbCeiling> dbCeilings, List<LoadRun> sweep, List<JmhScore> jmh, @Nullable Features features,
			List<Verdict> verdicts) {

		@Nullable LoadRun load(String mode, String scenario) {
			return find(this.load, mode, scenario);
		}

		@Nullable LoadRun sweep(String size, String scenario) {
			return find(this.sweep, size, scenario);
		}

		@Nullable HttpCeiling httpCeiling(long connections) {
			return this.httpCeilings.stream().filter((c) -> c.connections() == connections).findFirst().orElse(null);
		}

		@Nullable DbCeiling dbCeiling(long connections) {
			return this.dbCeilings.stream().filter((c) -> c.connections() == connections).findFirst().orElse(null);
		}

		private static @Nullable LoadRun find(List<LoadRun> runs, String mode, String scenario) {
			return runs.stream()
				.filter((run) -> run.mode().equals(mode) && run.scenario().equals(scenario))
				.findFirst()
				.orElse(null);
		}

	}

}
