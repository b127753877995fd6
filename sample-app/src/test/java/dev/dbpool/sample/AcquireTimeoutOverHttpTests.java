package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
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
 * HikariCP's acquire timeout over HTTP, without a waiter cap: a request that waited the
 * whole timeout for a connection is answered 503 with {@code Retry-After} and a problem
 * body, not 500.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.max-connections=1", "app.db.pool.min-connections=1",
				"app.db.pool.acquire-timeout=500ms" })
@DirtiesContext
class AcquireTimeoutOverHttpTests extends AbstractSampleApplicationTests {

	@Test
	void requestThatTimesOutWaitingForAConnectionIs503() throws Exception {
		CompletableFuture<HttpResponse<String>> holder = getAsync("/work?holdMs=3000");
		await("the connection held").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> json(get("/actuator/health/readiness")).path("components")
				.path("dbPool")
				.path("details")
				.path("active")
				.asInt() >= 1);
		HttpResponse<String> response = get("/work?holdMs=0");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/problem+json"));
		JsonNode problem = json(response);
		assertThat(problem.path("status").asInt()).isEqualTo(503);
		assertThat(problem.path("detail").asString())
			.isEqualTo("No database connection became available in time; retry later.");
		assertThat(problem.path("instance").asString()).isEqualTo("/work");
		assertThat(holder.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
	}

}
