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
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The packaged sample app (built by {@code package}) in a process of its own, on a free
 * port, against the test PostgreSQL, with its output kept in {@code target/<name>.log};
 * for the {@code *IT} tests that {@code maven-failsafe-plugin} runs. {@link #close()}
 * kills what is still running.
 */
final class SampleAppProcess implements AutoCloseable {

	private static final Duration START_LIMIT = Duration.ofSeconds(60);

	// The statement GET /work runs on the connection it then holds.
	private static final String WORK_QUERY = "SELECT pg_backend_pid()";

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final Process process;

	private final int port;

	private final Path log;

	private SampleAppProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/**
	 * Start the packaged app; it is not ready yet (see {@link #awaitReady()}).
	 * @param name names the log file
	 * @param jvmOptions options of the JVM, e.g. system properties
	 * @param arguments the app's arguments, besides its port
	 * @return the process
	 * @throws IOException if it could not be started
	 */
	static SampleAppProcess start(String name, List<String> jvmOptions, List<String> arguments) throws IOException {
		Path jar = Path.of(System.getProperty("sample-app.jar", "target/db-pool-sample-app.jar"));
		assertThat(jar).as("the packaged sample app; build it with ./mvnw verify").isRegularFile();
		Path log = jar.resolveSibling(name + ".log");
		int port = freePort();
		String java = ProcessHandle.current()
			.info()
			.command()
			.orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// A build started in the background by a non-interactive shell (as CI may be)
		// passes SIGINT on ignored, and the JVM then keeps ignoring it: env restores
		// the default, as an interactive terminal would have it. C1 only: the app
		// starts in about half the time, and nothing here measures speed.
		List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java, "-XX:TieredStopAtLevel=1"));
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
				"--spring.threads.virtual.enabled=" + VirtualThreads.requested()));
		command.addAll(arguments);
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
		return new SampleAppProcess(builder.start(), port, log);
	}

	Process process() {
		return this.process;
	}

	Path log() {
		return this.log;
	}

	/**
	 * Wait until the app answers {@code GET /ping}; fail, with the end of its output, if
	 * it exits first or does not answer within a minute.
	 * @throws Exception if interrupted
	 */
	void awaitReady() throws Exception {
		long deadline = System.nanoTime() + START_LIMIT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				fail("The sample app exited with %d before answering /ping:%n%s", this.process.exitValue(), tail());
			}
			try {
				if (get("/ping").statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			Thread.sleep(200);
		}
		fail("The sample app did not answer /ping within %s:%n%s", START_LIMIT, tail());
	}

	/**
	 * Wait until the server shows a session of the app that ran {@code GET /work}'s
	 * statement: the request has borrowed its connection and holds it.
	 * @param applicationName the app's {@code app.db.pool.application-name}
	 * @throws Exception if interrupted, or the server cannot be read
	 */
	void awaitHolding(String applicationName) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (ServerSessions.named(applicationName, WORK_QUERY) == 0) {
			if (System.nanoTime() > deadline) {
				fail("No session of %s ran %s within 10s:%n%s", applicationName, WORK_QUERY, tail());
			}
			Thread.sleep(20);
		}
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return http.send(request(path), BodyHandlers.ofString());
	}

	CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return http.sendAsync(request(path), BodyHandlers.ofString());
	}

	private HttpRequest request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.GET()
			.build();
	}

	/**
	 * Return what the app has written so far.
	 * @return its output
	 * @throws IOException if the log cannot be read
	 */
	String output() throws IOException {
		return Files.readString(this.log, StandardCharsets.UTF_8);
	}

	/**
	 * Return the last lines the app has written, for a failure message.
	 * @return its last 60 lines
	 * @throws IOException if the log cannot be read
	 */
	String tail() throws IOException {
		List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
		return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 60), lines.size()));
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
