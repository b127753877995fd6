package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /work?holdMs=N}: holds one pooled connection for the time asked;
 * {@code GET /work?statementMs=N}: runs a statement that lasts that long;
 * {@code GET /work/compute?loops=N}: counts N generated rows on the server.
 */
class WorkEndpointTests extends AbstractSampleApplicationTests {

	private static final long HOLD_MS = 1500;

	@Test
	void holdsAConnectionForTheRequestedTime() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = get("/work?holdMs=200");
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200));
		JsonNode result = json(response);
		assertThat(result.get("heldMs").asLong()).isGreaterThanOrEqualTo(200);
		// The pid is a live backend connected to the test database: the pool's
		// connection.
		int backendPid = result.get("backendPid").asInt();
		assertThat(queryForObject(String.class, "SELECT datname FROM pg_stat_activity WHERE pid = ?", backendPid))
			.isEqualTo(queryForObject(String.class, "SELECT current_database()"));
	}

	@Test
	void holdOutOfRangeIsBadRequest() throws Exception {
		assertThat(get("/work?holdMs=-1").statusCode()).isEqualTo(400);
		assertThat(get("/work?holdMs=60001").statusCode()).isEqualTo(400);
	}

	@Test
	void runsAStatementForTheRequestedTime() throws Exception {
		HttpResponse<String> response = get("/work?statementMs=200");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode result = json(response);
		assertThat(result.get("heldMs").asLong()).isGreaterThanOrEqualTo(200);
		int backendPid = result.get("backendPid").asInt();
		assertThat(queryForObject(String.class, "SELECT datname FROM pg_stat_activity WHERE pid = ?", backendPid))
			.isEqualTo(queryForObject(String.class, "SELECT current_database()"));
	}

	@Test
	void statementOutOfRangeOrWithAHoldIsBadRequest() throws Exception {
		assertThat(get("/work?statementMs=-1").statusCode()).isEqualTo(400);
		assertThat(get("/work?statementMs=60001").statusCode()).isEqualTo(400);
		assertThat(get("/work?statementMs=10&holdMs=10").statusCode()).isEqualTo(400);
		assertThat(get("/work?statementMs=10&inTransaction=true").statusCode()).isEqualTo(400);
	}

	@Test
	void computesOnTheServer() throws Exception {
		HttpResponse<String> response = get("/work/compute?loops=60000");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode result = json(response);
		assertThat(result.get("counted").asLong()).isEqualTo(60_000);
		assertThat(result.get("tookMicros").asLong()).isPositive();
	}

	@Test
	void computeOutOfRangeOrMissingIsBadRequest() throws Exception {
		assertThat(get("/work/compute?loops=0").statusCode()).isEqualTo(400);
		assertThat(get("/work/compute?loops=-5").statusCode()).isEqualTo(400);
		assertThat(get("/work/compute?loops=1000001").statusCode()).isEqualTo(400);
		assertThat(get("/work/compute?loops=many").statusCode()).isEqualTo(400);
		assertThat(get("/work/compute").statusCode()).isEqualTo(400);
	}

	@Test
	void holdsBeyondThePoolSizeWaitForAConnection() throws Exception {
		// Saturation, which /work exists to show: one request more than the pool has
		// connections, so one of them waits (hikaricp.connections.pending) until another
		// returns its connection, and the last hold ends two holds after the start.
		int max = (int) gauge("jdbc.connections.max");
		long start = System.nanoTime();
		List<CompletableFuture<HttpResponse<String>>> holds = new ArrayList<>();
		for (int i = 0; i <= max; i++) {
			holds.add(getAsync("/work?holdMs=" + HOLD_MS));
		}
		CompletableFuture<Void> all = CompletableFuture.allOf(holds.toArray(CompletableFuture[]::new));
		double pending = 0;
		// Ends at the latest with the requests, each done within its hold or the
		// client's 30s request timeout.
		while (pending == 0 && !all.isDone()) {
			Thread.sleep(20);
			pending = gauge("hikaricp.connections.pending");
		}
		all.get(30, TimeUnit.SECONDS);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(pending).isGreaterThanOrEqualTo(1);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(2 * HOLD_MS));
		assertThat(holds).allSatisfy((hold) -> assertThat(hold.join().statusCode()).isEqualTo(200));
	}

	private double gauge(String name) throws Exception {
		HttpResponse<String> response = get("/actuator/metrics/" + name);
		assertThat(response.statusCode()).isEqualTo(200);
		return json(response).get("measurements").get(0).get("value").asDouble();
	}

}
