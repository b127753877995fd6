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

/**
 * The waiter cap over HTTP, with a pool of 2 and {@code max-waiting=2}: of 20 requests
 * that come at once, each holding a connection for a second, 2 borrow, 2 wait and the
 * others are answered at once with 503, {@code Retry-After} and a problem body, instead
 * of queueing for the acquire timeout.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.max-connections=2", "app.db.pool.min-connections=2", "app.db.pool.max-waiting=2",
				"app.db.pool.acquire-timeout=" + PoolSaturatedOverHttpTests.ACQUIRE_TIMEOUT_MS + "ms" })
@DirtiesContext
class PoolSaturatedOverHttpTests extends AbstractSampleApplicationTests {

	static final long ACQUIRE_TIMEOUT_MS = 10_000;

	private static final int REQUESTS = 20;

	private static final long HOLD_MS = 1000;

	@Test
	void requestsBeyondTheCapAreAnswered503AtOnce() throws Exception {
		assertThat(get("/work?holdMs=0").statusCode()).isEqualTo(200);
		List<CompletableFuture<Answer>> requests = new ArrayList<>();
		for (int i = 0; i < REQUESTS; i++) {
			long start = System.nanoTime();
			requests.add(getAsync("/work?holdMs=" + HOLD_MS)
				.thenApply((response) -> new Answer(response, Duration.ofNanos(System.nanoTime() - start))));
		}
		List<Answer> answers = new ArrayList<>();
		for (CompletableFuture<Answer> request : requests) {
			answers.add(request.get(30, TimeUnit.SECONDS));
		}
		List<Answer> rejected = answers.stream().filter((answer) -> answer.response().statusCode() == 503).toList();
		assertThat(rejected).hasSizeGreaterThanOrEqualTo(REQUESTS - 4);
		assertThat(answers).filteredOn((answer) -> answer.response().statusCode() != 503)
			.allSatisfy((answer) -> assertThat(answer.response().statusCode()).isEqualTo(200));
		assertThat(rejected).allSatisfy((answer) -> {
			// Answered on arrival, not after queueing for the 10s acquire
			// timeout: half of it tells the two apart, however slowly 20
			// concurrent requests on a loaded machine are answered.
			assertThat(answer.took()).as("answered without waiting for a connection")
				.isLessThan(Duration.ofMillis(ACQUIRE_TIMEOUT_MS / 2));
			assertThat(answer.response().headers().firstValue("Retry-After")).hasValue("1");
			assertThat(answer.response().headers().firstValue("Content-Type"))
				.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/problem+json"));
			JsonNode problem = json(answer.response());
			assertThat(problem.path("type").asString()).isEqualTo("about:blank");
			assertThat(problem.path("title").asString()).isEqualTo("Service Unavailable");
			assertThat(problem.path("status").asInt()).isEqualTo(503);
			assertThat(problem.path("detail").asString())
				.isEqualTo("The database connection pool is saturated; retry later.");
			assertThat(problem.path("instance").asString()).isEqualTo("/work");
			assertThat(answer.response().body()).doesNotContain("Exception").doesNotContain("jdbc:");
		});
		JsonNode dbPool = json(get("/actuator/health/readiness")).path("components").path("dbPool").path("details");
		assertThat(dbPool.path("maxWaiting").asInt()).isEqualTo(2);
		assertThat(dbPool.path("rejected").asLong()).isEqualTo(rejected.size());
	}

	private record Answer(HttpResponse<String> response, Duration took) {
	}

}
