package dev.dbpool.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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

	private static final Duration START_LIMIT = Duration.ofSeconds(60);

	private static final Duration EXIT_LIMIT = Duration.ofSeconds(30);

	private static final long HOLD_MS = 4000;

	// The statement GET /work runs on the connection it then holds.
	private static final String WORK_QUERY = "SELECT pg_backend_pid()";

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

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
		Path jar = Path.of(System.getProperty("sample-app.jar", "target/db-pool-sample-app.jar"));
		assertThat(jar).as("the packaged sample app; build it with ./mvnw verify").isRegularFile();
		Path log = jar.resolveSibling("graceful-shutdown-" + name + ".log");
		int port = freePort();
		Process process = start(jar, port, applicationName, log);
		try {
			awaitReady(process, port, log);
			long requested = System.nanoTime();
			CompletableFuture<HttpResponse<String>> work = this.http.sendAsync(request(port, "/work?holdMs=" + HOLD_MS),
					BodyHandlers.ofString());
			awaitHolding(applicationName, log);
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
			String output = Files.readString(log, StandardCharsets.UTF_8);
			String drained = "db-pool: pool '" + applicationName + "-pool' drained in ";
			assertThat(output).containsSubsequence("Commencing graceful shutdown", "Graceful shutdown complete",
					drained);
			assertThat(output).containsPattern(
					drained + "\\d+(\\.\\d+)?m?s, 0 connections still active, [1-9]\\d* opened over its life; closed");
			assertThat(ServerSessions.awaitNone(applicationName, Duration.ofSeconds(10)))
				.as("sessions left on the server")
				.isZero();
		}
		finally {
			process.destroyForcibly();
			process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static Process start(Path jar, int port, String applicationName, Path log) throws IOException {
		String java = ProcessHandle.current()
			.info()
			.command()
			.orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// A build started in the background by a non-interactive shell (as CI may be)
		// passes SIGINT on ignored, and the JVM then keeps ignoring it: env restores
		// the default, as an interactive terminal would have it. C1 only: the app
		// starts in about half the time, and nothing here measures speed.
		List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java, "-XX:TieredStopAtLevel=1",
				"-jar", jar.toString(), "--server.port=" + port, "--app.db.pool.application-name=" + applicationName,
				"--spring.threads.virtual.enabled=" + VirtualThreads.requested()));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		// Only what the test gives: no database or pool setting of the build's own
		// environment.
		environment.keySet()
			.removeIf((variable) -> variable.startsWith("SPRING_") || variable.startsWith("APP_DB_")
					|| variable.startsWith("DB_") || variable.startsWith("DATABASE_"));
		TestDatabase database = TestDatabase.get();
		environment.put("SPRING_DATASOURCE_URL", database.jdbcUrl());
		environment.put("SPRING_DATASOURCE_USERNAME", database.username());
		environment.put("SPRING_DATASOURCE_PASSWORD", database.password());
		return builder.start();
	}

	private void awaitReady(Process process, int port, Path log) throws Exception {
		long deadline = System.nanoTime() + START_LIMIT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				fail("The sample app exited with %d before answering /ping:%n%s", process.exitValue(), tail(log));
			}
			try {
				if (this.http.send(request(port, "/ping"), BodyHandlers.ofString()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			Thread.sleep(200);
		}
		fail("The sample app did not answer /ping within %s:%n%s", START_LIMIT, tail(log));
	}

	// Wait until the server shows a session of the app that ran GET /work's statement:
	// the request has borrowed its connection and holds it.
	private static void awaitHolding(String applicationName, Path log) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (ServerSessions.named(applicationName, WORK_QUERY) == 0) {
			if (System.nanoTime() > deadline) {
				fail("No session of %s ran %s within 10s:%n%s", applicationName, WORK_QUERY, tail(log));
			}
			Thread.sleep(20);
		}
	}

	private static HttpRequest request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.GET()
			.build();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
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

	private static String tail(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
		return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 60), lines.size()));
	}

	@FunctionalInterface
	private interface Signal {

		void send(Process process) throws Exception;

	}

}
