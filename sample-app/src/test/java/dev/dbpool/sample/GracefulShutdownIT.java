package dev.dbpool.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.ServerSessions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged sample app in a process of its own, stopped the way a process manager
 * stops it: a request holding a pooled connection when the signal arrives completes with
 * 200, the process exits on its own, its log shows the web server's graceful shutdown and
 * then db-pool's drain, and no session with its {@code application_name} is left on the
 * server. Run by {@code maven-failsafe-plugin} after {@code package}, against the test
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
	void sigintLetsTheHeldRequestFinishThenDrainsThePoolAndExits() throws Exception {
		stopWhileARequestHoldsAConnection("sigint", (process) -> {
			assertThat(ignoresSigint(process)).as("SIGINT ignored by the app").isFalse();
			Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
			assertThat(kill.exitValue()).isZero();
		}, 128 + 2);
	}

	private void stopWhileARequestHoldsAConnection(String name, Signal signal, int exitCode) throws Exception {
		String applicationName = "db-pool-" + name + "-"
				+ Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
		try (SampleAppProcess app = SampleAppProcess.start("graceful-shutdown-" + name, List.of(),
				List.of("--app.db.pool.application-name=" + applicationName))) {
			Process process = app.process();
			Path log = app.log();
			app.awaitReady();
			long requested = System.nanoTime();
			CompletableFuture<HttpResponse<String>> work = app.getAsync("/work?holdMs=" + HOLD_MS);
			app.awaitHolding(applicationName);
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
			assertThat(ServerSessions.awaitNone(applicationName, Duration.ofSeconds(10)))
				.as("sessions left on the server")
				.isZero();
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

	@FunctionalInterface
	private interface Signal {

		void send(Process process) throws Exception;

	}

}
