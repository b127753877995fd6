package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard rails as a user of the sample app sees them over HTTP: the connection budget
 * in the {@code dbPool} health, and a request that holds its connection inside an open
 * transaction past the leak-detection threshold, reported as a leak and seen by the
 * server-side view as idle in a transaction while it lasts.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.leak-detection-threshold=2s", "app.db.pool.monitor.server-interval=1s",
				"app.db.pool.monitor.idle-in-transaction-warning=1s" })
@DirtiesContext
class GuardRailsOverHttpTests extends AbstractSampleApplicationTests {

	private static final long DEADLINE_MS = 15_000;

	@Test
	void healthShowsTheConnectionBudget() throws Exception {
		JsonNode budget = dbPool().path("budget");
		assertThat(budget.path("limit").asInt()).isPositive();
		assertThat(budget.path("instances").asInt()).isEqualTo(1);
		assertThat(budget.path("mode").asString()).isEqualTo("warn");
	}

	@Test
	void connectionHeldInAnOpenTransactionIsALeakAndIdleInTransactionWhileItLasts() throws Exception {
		CompletableFuture<HttpResponse<String>> holder = getAsync("/work?holdMs=5000&inTransaction=true");
		long deadline = System.currentTimeMillis() + DEADLINE_MS;
		JsonNode details = dbPool();
		while (!(details.path("leaks").path("outstanding").asInt() == 1
				&& details.path("server").path("connections").path("idle in transaction").asInt() >= 1)
				&& System.currentTimeMillis() < deadline) {
			Thread.sleep(100);
			details = dbPool();
		}
		assertThat(details.path("leaks").path("outstanding").asInt()).as("leak still out").isEqualTo(1);
		// The request's thread: Tomcat's, or on virtual threads the ones Spring Boot
		// names.
		assertThat(details.path("leaks").path("leaked").get(0).path("thread").asString())
			.startsWith(VirtualThreads.requested() ? "tomcat-handler-" : "http-nio-");
		assertThat(details.path("server").path("connections").path("idle in transaction").asInt())
			.as("seen idle in a transaction by the server")
			.isGreaterThanOrEqualTo(1);
		assertThat(holder.get(DEADLINE_MS, TimeUnit.MILLISECONDS).statusCode()).isEqualTo(200);
		JsonNode leaks = json(get("/actuator/metrics/db.pool.leaks"));
		assertThat(leaks.path("measurements").get(0).path("value").asDouble()).isEqualTo(1.0);
		assertThat(dbPool().path("leaks").path("outstanding").asInt()).as("returned").isZero();
	}

	private JsonNode dbPool() throws Exception {
		return json(get("/actuator/health")).path("components").path("dbPool").path("details");
	}

}
