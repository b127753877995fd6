package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Replicated;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app over HTTP with a read replica: a primary of the test's own with one
 * streaming standby ({@link PostgresServer#primaryWithStandbys}), the standby as
 * {@code app.db.pool.replicas.url}. A customer's order summary (read-only) is served by
 * the standby's pool and an order (a write) by the primary's. With the standby stopped,
 * the summary is served by the primary (fallback {@code primary}, the default), or
 * answered 503 (fallback {@code fail}, {@link FallbackFail}).
 */
@DirtiesContext
class ReadReplicaOverHttpTests extends AbstractOverHttpTests {

	static final String PRIMARY_POOL = "db-pool-sample-pool";

	static final String REPLICA_POOL = "db-pool-sample-pool-replica";

	static final String REPLICA_UNAVAILABLE = "The read replica is unavailable; retry later.";

	private static final Duration AWAIT = Duration.ofSeconds(30);

	private static Replicated servers;

	private static PostgresServer primary;

	private static PostgresServer standby;

	@BeforeAll
	static void startServers() {
		servers = PostgresServer.primaryWithStandbys(1);
		primary = servers.primary();
		standby = servers.standby(0);
	}

	@AfterAll
	static void stopServers() {
		if (servers != null) {
			servers.close();
		}
	}

	@DynamicPropertySource
	static void onThePrivateServers(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> primary.jdbcUrl("postgres"));
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.password", () -> "");
		registry.add("app.db.pool.replicas.url", () -> standby.jdbcUrl("postgres"));
		registry.add("app.db.pool.monitor.server-interval", () -> "1s");
		registry.add("app.db.pool.acquire-timeout", () -> "3s");
	}

	@Test
	void orderSummaryIsReadOnTheStandbyAndOrdersAreWrittenOnThePrimary() throws Exception {
		awaitReadsGoTo("replica");
		// The schema and data the app created on the primary at start, replayed.
		servers.awaitReplayed(standby, AWAIT);
		long customerId = 2001;
		long orders = summary(customerId).path("orders").asLong();
		double acquiredBefore = acquired(REPLICA_POOL);
		long fallbacksBefore = replica().path("fallbacks").asLong();
		standby.execute("SELECT pg_wal_replay_pause()");
		try {
			await().atMost(AWAIT).until(() -> "paused".equals(replayPauseState()));
			assertThat(postJson("/orders", """
					{"customerId": %d, "amount": 3.21}""".formatted(customerId)).statusCode()).isEqualTo(201);
			assertThat(orderCountOnThePrimary(customerId)).isEqualTo(orders + 1);
			// The standby has not replayed the order: a summary without it was read
			// there.
			assertThat(summary(customerId).path("orders").asLong()).isEqualTo(orders);
			assertThat(summary(customerId).path("orders").asLong()).isEqualTo(orders);
		}
		finally {
			standby.execute("SELECT pg_wal_replay_resume()");
		}
		await().atMost(AWAIT).until(() -> summary(customerId).path("orders").asLong() == orders + 1);
		// Each summary borrowed a connection of the replica's pool (the lag reader has
		// a connection of its own, outside the pool).
		assertThat(acquired(REPLICA_POOL)).isGreaterThanOrEqualTo(acquiredBefore + 3);
		assertThat(replica().path("fallbacks").asLong()).isEqualTo(fallbacksBefore);
		assertThat(dbPool().path("details").path("pools").has(PRIMARY_POOL)).isTrue();
	}

	@Test
	void orderSummaryIsServedByThePrimaryWhileTheStandbyIsDown() throws Exception {
		whileTheStandbyIsDown("primary", () -> {
			long fallbacksBefore = replica().path("fallbacks").asLong();
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> response = get("/customers/2002/order-summary");
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
				assertThat(json(response).path("customerId").asLong()).isEqualTo(2002);
			}
			assertThat(replica().path("fallbacks").asLong()).isGreaterThanOrEqualTo(fallbacksBefore + 3);
			assertThat(postJson("/orders", """
					{"customerId": 2002, "amount": 1.00}""").statusCode()).isEqualTo(201);
		});
		assertThat(get("/customers/2002/order-summary").statusCode()).isEqualTo(200);
	}

	/**
	 * With {@code app.db.pool.replicas.fallback=fail}: a read while the standby is down
	 * is answered 503.
	 */
	@Nested
	@TestPropertySource(properties = "app.db.pool.replicas.fallback=fail")
	class FallbackFail {

		@Test
		void orderSummaryIsUnavailableWhileTheStandbyIsDownAndOrdersStillWork() throws Exception {
			whileTheStandbyIsDown("nowhere", () -> {
				HttpResponse<String> response = get("/customers/2003/order-summary");
				assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
				assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
				JsonNode problem = json(response);
				assertThat(problem.path("detail").asString()).isEqualTo(REPLICA_UNAVAILABLE);
				assertThat(problem.path("instance").asString()).isEqualTo("/customers/2003/order-summary");
				assertThat(postJson("/orders", """
						{"customerId": 2003, "amount": 1.00}""").statusCode()).isEqualTo(201);
			});
			assertThat(get("/customers/2003/order-summary").statusCode()).isEqualTo(200);
		}

	}

	/**
	 * Stop the standby, wait until the app sends read-only work {@code readsGoTo}, run
	 * the checks, then start the standby again and wait until reads are back on it.
	 */
	void whileTheStandbyIsDown(String readsGoTo, Checks checks) throws Exception {
		awaitReadsGoTo("replica");
		standby.stop(Shutdown.FAST);
		try {
			awaitReadsGoTo(readsGoTo);
			checks.run();
		}
		finally {
			standby.startAgain();
		}
		awaitReadsGoTo("replica");
	}

	private JsonNode summary(long customerId) throws Exception {
		HttpResponse<String> response = get("/customers/" + customerId + "/order-summary");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json(response);
	}

	private JsonNode dbPool() throws Exception {
		return json(get("/actuator/health/dbPool"));
	}

	private JsonNode replica() throws Exception {
		return dbPool().path("details").path("pools").path(REPLICA_POOL).path("replica");
	}

	private void awaitReadsGoTo(String where) {
		await().atMost(AWAIT)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> replica().path("readsGoTo").asString(), where::equals);
	}

	/**
	 * Return how many connections a pool has handed over: the count of
	 * {@code hikaricp.connections.acquire} for it.
	 */
	private double acquired(String pool) throws Exception {
		JsonNode metric = json(get("/actuator/metrics/hikaricp.connections.acquire?tag=pool:" + pool));
		for (JsonNode measurement : metric.path("measurements")) {
			if ("COUNT".equals(measurement.path("statistic").asString())) {
				return measurement.path("value").asDouble();
			}
		}
		throw new IllegalStateException("No COUNT in " + metric);
	}

	private static String replayPauseState() throws Exception {
		return single(standby, "SELECT pg_get_wal_replay_pause_state()");
	}

	private static long orderCountOnThePrimary(long customerId) throws Exception {
		return Long.parseLong(single(primary, "SELECT count(*) FROM sample_order WHERE customer_id = " + customerId));
	}

	private static String single(PostgresServer server, String sql) throws Exception {
		try (Connection connection = server.connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1);
		}
	}

	@FunctionalInterface
	interface Checks {

		void run() throws Exception;

	}

}
