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
 * A saturated app over HTTP, with a pool of 3 and a grace of 1s: once {@code /work}
 * requests have held every connection, with more waiting, for longer than the grace,
 * readiness is 503 (the load balancer stops sending traffic) while liveness stays 200
 * (nothing restarts the instance); readiness is 200 again once the requests are done.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.max-connections=3", "app.db.pool.min-connections=1",
				"app.db.pool.monitor.interval=1s", "app.db.pool.health.exhausted-grace=1s" })
@DirtiesContext
class ReadinessUnderSaturationTests extends AbstractSampleApplicationTests {

	// Long enough that a readiness check that waited for a connection (behind the two
	// waiting requests, until a hold ends) takes far longer than one answered from the
	// pool's counters, even on a loaded machine.
	private static final long HOLD_MS = 6000;

	@Test
	void readinessLeavesWhileThePoolIsSaturatedAndLivenessStays() throws Exception {
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			requests.add(getAsync("/work?holdMs=" + HOLD_MS));
		}
		// Only once every connection is held do two more requests come, and wait.
		await("every connection held").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> dbPool(get("/actuator/health/readiness")).path("details").path("active").asInt() >= 3);
		for (int i = 0; i < 2; i++) {
			requests.add(getAsync("/work?holdMs=0"));
		}
		CompletableFuture<Void> all = CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new));
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		Duration slowest = Duration.ZERO;
		// Ends at the latest with the requests, each done within its hold or the
		// client's 30s request timeout.
		while (readiness.statusCode() == 200 && !all.isDone()) {
			Thread.sleep(100);
			long start = System.nanoTime();
			readiness = get("/actuator/health/readiness");
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			slowest = (took.compareTo(slowest) > 0) ? took : slowest;
		}
		assertThat(readiness.statusCode()).as("readiness while saturated").isEqualTo(503);
		// Readiness goes DOWN some 1s (the grace) into the holds; a check that waited for
		// a connection would return only once a hold ends, some 5s later. Half the hold
		// tells the two apart, however slowly a loaded machine answers.
		assertThat(slowest).as("readiness checks never wait for a connection")
			.isLessThan(Duration.ofMillis(HOLD_MS / 2));
		JsonNode dbPool = dbPool(readiness);
		assertThat(dbPool.path("status").asString()).isEqualTo("DOWN");
		assertThat(dbPool.path("details").path("reason").asString()).startsWith("saturated for ");
		assertThat(dbPool.path("details").path("threadsAwaiting").asInt()).isEqualTo(2);
		assertThat(get("/actuator/health/liveness").statusCode()).as("liveness while saturated").isEqualTo(200);
		assertThat(all).as("still saturated when readiness went DOWN").isNotDone();
		all.get(30, TimeUnit.SECONDS);
		assertThat(requests).allSatisfy((request) -> assertThat(request.join().statusCode()).isEqualTo(200));
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	private static JsonNode dbPool(HttpResponse<String> health) {
		return json(health).path("components").path("dbPool");
	}

}
