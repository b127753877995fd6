package dev.dbpool.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.ServerSessions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app in a process of its own, stopped the way a process manager
 * stops it: a request holding a pooled connection when the signal arrives completes with
 * 200, the process exits on its own, its log shows the web server's graceful shutdown and
 * then db-pool's drain, and no session with its {@code application_name} is left on the
 * server. Behind a real PgBouncer, in session and in transaction mode, with only the URL
 * (and the user) changed, the same, and none of its client connections is left on
 * PgBouncer. Run by {@code maven-failsafe-plugin} after {@code package}, against the test
 * PostgreSQL, on virtual threads with {@code -Dsample.virtual-threads=true}
 * ({@link VirtualThreads}); each process's output is kept in
 * {@code target/graceful-shutdown-*.log}.
 */
class GracefulShutdownIT {

	private static final Duration EXIT_LIMIT = Duration.ofSeconds(30);

	private static final long HOLD_MS = 4000;

	@Test
	void sigtermLetsTheHeldRequestFinishThenDrainsThePoolAndExits() throws Exception {
		// The JVM exits with 128 + the signal's number once its shutdown hooks, Spring
		// Boot's among them, have run.
		stopWhileARequestHoldsAConnection("sigterm", Process::destroy, 128 + 15);
	}

	@Test
	void behindPgBouncerInSessionModeTheDrainClosesEveryClientConnection() throws Exception {
		try (PgBouncer pgBouncer = SamplePgBouncer.session()) {
			stopWhileARequestHoldsAConnection("pgbouncer-session", Process::destroy, 128 + 15,
					List.of("--spring.datasource.url=" + pgBouncer.jdbcUrl()),
					(applicationName) -> SamplePgBouncer.clients(pgBouncer, applicationName));
		}
	}

	@Test
	void behindPgBouncerInTransactionModeTheDrainClosesEveryClientConnection() throws Exception {
		try (PgBouncer pgBouncer = SamplePgBouncer.transaction()) {
			stopWhileARequestHoldsAConnection("pgbouncer-transaction", Process::destroy, 128 + 15,
					List.of("--spring.datasource.url=" + pgBouncer.jdbcUrl(),
							"--spring.datasource.username=" + SamplePgBouncer.TRANSACTION_ROLE),
					(applicationName) -> SamplePgBouncer.clients(pgBouncer, applicationName));
		}
	}

	@Test
	void sigintLetsTheHeldRequestFinishThenDrainsThePoolAndExits() throws Exception {
		stopWhileARequestHoldsAConnection("sigint", (process) -> {
			assertThat(ignoresSigint(process)).as("SIGINT ignored by the app").isFalse();
			Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
			assertThat(kill.exitValue()).isZero();
		}, 128 + 2);
	}

	private void stopWhileARequestHoldsAConnection(String name, Signal signal, int exitCode) throws Exception {
		stopWhileARequestHoldsAConnection(name, signal, exitCode, List.of(), ServerSessions::named);
	}

	private void stopWhileARequestHoldsAConnection(String name, Signal signal, int exitCode, List<String> arguments,
			Connections connections) throws Exception {
		String applicationName = "db-pool-" + name + "-"
				+ Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
		List<String> allArguments = new ArrayList<>(arguments);
		allArguments.add("--app.db.pool.application-name=" + applicationName);
		try (SampleAppProcess app = SampleAppProcess.start("graceful-shutdown-" + name, List.of(), allArguments)) {
			Process process = app.process();
			Path log = app.log();
			app.awaitReady();
			long requested = System.nanoTime();
			CompletableFuture<HttpResponse<String>> work = app.getAsync("/work?holdMs=" + HOLD_MS);
			app.awaitHolding(applicationName);
			assertThat(connections.count(applicationName)).as("the app's connections").isPositive();
			signal.send(process);
			HttpResponse<String> response = work.get(30, TimeUnit.SECONDS);
			assertThat(response.statusCode()).as("the held request, in %s", log).isEqualTo(200);
			assertThat(JsonMapper.shared().readTree(response.body()).get("heldMs").asLong())
				.isGreaterThanOrEqualTo(HOLD_MS);
			assertThat(process.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS))
				.as("exits on its own within %s, see %s", EXIT_LIMIT, log)
				.isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - requested)).isLessThan(EXIT_LIMIT);
			assertThat(process.exitValue()).as("exit code, see %s", log).isEqualTo(exitCode);
			String output = app.output();
			String drained = "db-pool: pool '" + applicationName + "-pool' drained in ";
			assertThat(output).containsSubsequence("Commencing graceful shutdown", "Graceful shutdown complete",
					drained);
			assertThat(output).containsPattern(
					drained + "\\d+(\\.\\d+)?m?s, 0 connections still active, [1-9]\\d* opened over its life; closed");
			await("no connection of the app left").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> connections.count(applicationName), (left) -> left == 0);
		}
	}

	// Linux: bit n-1 of SigIgn in /proc/<pid>/status is set when signal n is ignored.
	private static boolean ignoresSigint(Process process) throws IOException {
		Path status = Path.of("/proc", Long.toString(process.pid()), "status");
		if (!Files.isReadable(status)) {
			return false;
		}
		for (String line : Files.readAllLines(status)) {
			if (line.startsWith("SigIgn:")) {
				return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
			}
		}
		return false;
	}

	/**
	 * Where the app's connections show: the server's sessions, or PgBouncer's clients.
	 */
	@FunctionalInterface
	private interface Connections {

		int count(String applicationName) throws Exception;

	}

	@FunctionalInterface
	private interface Signal {

		void send(Process process) throws Exception;

	}

}
