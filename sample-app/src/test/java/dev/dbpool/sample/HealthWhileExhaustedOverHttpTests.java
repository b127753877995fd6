package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/health} over HTTP while every connection of the pool is held, with an
 * acquire timeout of 10s: it answers without waiting for a connection (Spring Boot's own
 * {@code db} check would wait the whole acquire timeout), and {@code db} still reports
 * the database as reachable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.max-connections=2", "app.db.pool.min-connections=1",
				"app.db.pool.acquire-timeout=10s", "app.db.pool.monitor.interval=1s" })
@DirtiesContext
class HealthWhileExhaustedOverHttpTests extends AbstractSampleApplicationTests {

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

	@Test
	void healthAnswersWithoutWaitingForAConnectionAndDbStaysUp() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> holds = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			holds.add(getAsync("/work?holdMs=8000"));
		}
		await("every connection held").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> json(get("/actuator/health")).path("components")
				.path("dbPool")
				.path("details")
				.path("active")
				.asInt() >= 2);
		long started = System.nanoTime();
		HttpResponse<String> health = get("/actuator/health");
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		// A check that borrowed would wait the acquire timeout: half of it tells the two
		// apart on any machine.
		assertThat(took).isLessThan(ACQUIRE_TIMEOUT.dividedBy(2));
		JsonNode db = json(health).path("components").path("db");
		assertThat(db.path("status").asString()).isEqualTo("UP");
		assertThat(db.path("details").path("database").asString()).isEqualTo("PostgreSQL");
		assertThat(db.path("details").path("answeredFrom").asString()).isEqualTo("no connection free: 2 of 2 in use");
		assertThat(holds.stream().noneMatch(CompletableFuture::isDone)).as("still exhausted when health answered")
			.isTrue();
		for (CompletableFuture<HttpResponse<String>> hold : holds) {
			assertThat(hold.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		JsonNode after = json(get("/actuator/health")).path("components").path("db");
		assertThat(after.path("status").asString()).isEqualTo("UP");
		assertThat(after.path("details").path("validationQuery").asString()).isEqualTo("isValid()");
	}

}
