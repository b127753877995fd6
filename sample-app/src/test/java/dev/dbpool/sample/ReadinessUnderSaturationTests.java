package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

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

	private static final long HOLD_MS = 4000;

	@Test
	void readinessLeavesWhileThePoolIsSaturatedAndLivenessStays() throws Exception {
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			requests.add(getAsync("/work?holdMs=" + HOLD_MS));
		}
		// Only once every connection is held do two more requests come, and wait.
		while (dbPool(get("/actuator/health/readiness")).path("details").path("active").asInt() < 3) {
			Thread.sleep(20);
		}
		for (int i = 0; i < 2; i++) {
			requests.add(getAsync("/work?holdMs=0"));
		}
		CompletableFuture<Void> all = CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new));
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		Duration slowest = Duration.ZERO;
		while (readiness.statusCode() == 200 && !all.isDone()) {
			Thread.sleep(100);
			long start = System.nanoTime();
			readiness = get("/actuator/health/readiness");
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			slowest = (took.compareTo(slowest) > 0) ? took : slowest;
		}
		assertThat(readiness.statusCode()).as("readiness while saturated").isEqualTo(503);
		assertThat(slowest).as("readiness checks never wait for a connection").isLessThan(Duration.ofSeconds(1));
		JsonNode dbPool = dbPool(readiness);
		assertThat(dbPool.path("status").asString()).isEqualTo("DOWN");
		assertThat(dbPool.path("details").path("reason").asString()).startsWith("saturated for ");
		assertThat(dbPool.path("details").path("threadsAwaiting").asInt()).isEqualTo(2);
		assertThat(get("/actuator/health/liveness").statusCode()).as("liveness while saturated").isEqualTo(200);
		assertThat(all).as("still saturated when readiness went DOWN").isNotDone();
		all.join();
		assertThat(requests).allSatisfy((request) -> assertThat(request.join().statusCode()).isEqualTo(200));
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	private static JsonNode dbPool(HttpResponse<String> health) {
		return json(health).path("components").path("dbPool");
	}

}
