package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.TestDatabase;
import dev.dbpool.web.ConnectionUnavailableExceptionResolver;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app behind a real PgBouncer in front of the test database, pointed at it by
 * {@code spring.datasource.url} and {@code app.db.pool.pooler.admin-url} (and, in
 * transaction mode, a user whose own settings hold the sample's timeouts), over HTTP: it
 * reads the pooler's mode from PgBouncer's console at start-up and says so, health and
 * meters answer (the server-side view reads through the pooler), a statement past the
 * sample's statement timeout is cancelled by the server, and a request that cannot have a
 * connection, or loses it, is answered 503. Each subclass starts its PgBouncer
 * ({@link SamplePgBouncer}) and hands it to {@link #connectThrough}.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Import(AbstractPgBouncerOverHttpTests.StopPgBouncer.class)
@DirtiesContext
abstract class AbstractPgBouncerOverHttpTests extends AbstractOverHttpTests {

	// The sample's statement-timeout (its default).
	private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);

	// The running class's, started by its @BeforeAll: test classes run one at a time,
	// each with an app of its own.
	private static PgBouncer pgBouncer;

	/**
	 * Use a PgBouncer, from a subclass's {@code @BeforeAll} method: the app, started
	 * after, connects through it, and it is stopped when the app closes.
	 * @param started the PgBouncer
	 */
	static void connectThrough(PgBouncer started) {
		pgBouncer = started;
	}

	// The sample's own user and password (application.yml) stay. PgBouncer's console,
	// read as its admin, is what lets start-up tell session mode for sure.
	@DynamicPropertySource
	static void throughPgBouncer(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> pgBouncer.jdbcUrl());
		registry.add("app.db.pool.pooler.admin-url", () -> pgBouncer.jdbcUrl("pgbouncer") + "?user=postgres");
	}

	/**
	 * Return PgBouncer's {@code pool_mode}.
	 * @return {@code session} or {@code transaction}
	 */
	abstract String poolMode();

	@Test
	void startUpSaysWhichPoolerModeItFound(CapturedOutput output) {
		assertThat(output)
			.contains("connects through a pooler in " + poolMode() + " mode, pgbouncer-" + poolMode()
					+ " (PgBouncer's admin console says pool_mode " + poolMode() + ")")
			.contains("connection budget not checked")
			.doesNotContain("does not apply its timeouts");
	}

	@Test
	void healthIsUpAndShowsThePooler() throws Exception {
		HttpResponse<String> response = get("/actuator/health");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode health = json(response);
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
		JsonNode dbPool = health.path("components").path("dbPool");
		assertThat(dbPool.path("status").asString()).isEqualTo("UP");
		JsonNode pooler = dbPool.path("details").path("pooler");
		assertThat(pooler.path("mode").asString()).isEqualTo("pgbouncer-" + poolMode());
		assertThat(pooler.path("from").asString()).startsWith("derived by start-up");
		if (poolMode().equals("transaction")) {
			assertThat(pooler.path("timeouts").asString()).isEqualTo("held by the role's settings");
		}
	}

	@Test
	void metersAnswerAndTheServerViewReadsThroughThePooler() throws Exception {
		assertThat(gauge("hikaricp.connections")).isGreaterThanOrEqualTo(1);
		assertThat(gauge("hikaricp.connections.pending")).isZero();
		int maxConnections = Integer.parseInt(queryForObject(String.class, "SHOW max_connections"));
		// Read by the server-side view over its own connection through PgBouncer, the
		// first time at start.
		await("the server-side view's first read").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> gauge("db.server.connections.max"), (max) -> max == maxConnections);
	}

	@Test
	void statementPastTheStatementTimeoutIsCancelledByTheServer(CapturedOutput output) throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = send(
				request("/work?statementMs=" + STATEMENT_TIMEOUT.plusSeconds(10).toMillis())
					.timeout(STATEMENT_TIMEOUT.multipliedBy(3))
					.GET()
					.build());
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		// The server's 57014, which is no lost connection: left to Spring MVC, a 500.
		assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
		assertThat(response.headers().firstValue("Retry-After")).isEmpty();
		assertThat(output).contains("canceling statement due to statement timeout");
		// The sample's timeout, not a shorter one another client's session left behind.
		assertThat(took).isGreaterThanOrEqualTo(STATEMENT_TIMEOUT);
		// The connection outlives its cancelled statement.
		assertThat(get("/work?statementMs=10").statusCode()).isEqualTo(200);
	}

	// It takes every connection away: last, so that the others need not wait for new
	// ones.
	@Test
	@Order(Integer.MAX_VALUE)
	void requestsThatLoseOrCannotHaveAConnectionAre503() throws Exception {
		int maxConnections = (int) gauge("hikaricp.connections.max");
		CompletableFuture<HttpResponse<String>> lost = getAsync("/work?statementMs=20000");
		await("the request's statement running on the server").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> SamplePgBouncer.sleepingServer(pgBouncer), (pid) -> pid > 0);
		// PgBouncer closes every client and server connection of the database (FATAL
		// 08P01 to a client in a statement), and holds new ones until RESUME.
		SamplePgBouncer.console(pgBouncer, "KILL " + TestDatabase.DATABASE);
		try {
			assertUnavailable(lost.get(30, TimeUnit.SECONDS), ConnectionUnavailableExceptionResolver.CONNECTION_LOST);
			// The next requests get the pool's other connections, closed too: a request
			// whose statement finds its connection closed has lost it, one whose
			// connection HikariCP checks first waits for another. Once none is left, one
			// waits the sample's acquire-timeout (10s) for a new one, held by PgBouncer.
			HttpResponse<String> response = get("/work?holdMs=0");
			for (int i = 0; i < maxConnections && isLost(response); i++) {
				response = get("/work?holdMs=0");
			}
			assertUnavailable(response, ConnectionUnavailableExceptionResolver.TIMED_OUT);
		}
		finally {
			SamplePgBouncer.console(pgBouncer, "RESUME " + TestDatabase.DATABASE);
		}
		await("a request served again").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> get("/work?holdMs=0").statusCode(), (status) -> status == 200);
		await("dbPool UP again").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> json(get("/actuator/health")).path("components").path("dbPool").path("status").asString(),
					"UP"::equals);
	}

	private static boolean isLost(HttpResponse<String> response) {
		return response.statusCode() == 503 && json(response).path("detail")
			.asString()
			.equals(ConnectionUnavailableExceptionResolver.CONNECTION_LOST);
	}

	/**
	 * Stops the class's PgBouncer as the app closes, once db-pool's drain (a lifecycle
	 * stop, before any bean is destroyed) has closed the pool.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class StopPgBouncer {

		@Bean
		DisposableBean stopPgBouncer() {
			return pgBouncer::close;
		}

	}

	private double gauge(String name) throws Exception {
		HttpResponse<String> response = get("/actuator/metrics/" + name);
		assertThat(response.statusCode()).as(name).isEqualTo(200);
		return json(response).get("measurements").get(0).get("value").asDouble();
	}

}
