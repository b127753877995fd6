package dev.dbpool.sample;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/health} (with its probes), {@code /actuator/metrics},
 * {@code /actuator/prometheus} and {@code /actuator/dbpool}, as exposed by
 * application.yml.
 */
class ActuatorEndpointTests extends AbstractSampleApplicationTests {

	@Test
	void healthIsUpWithTheDatabase() throws Exception {
		HttpResponse<String> response = get("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode health = json(response);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
		JsonNode dbPool = health.path("components").path("dbPool");
		assertThat(dbPool.path("status").asString()).isEqualTo("UP");
		assertThat(dbPool.path("details").path("pool").asString()).isEqualTo("db-pool-sample-pool");
		assertThat(dbPool.path("details").path("level").asString()).isEqualTo("ok");
		assertThat(response.body()).doesNotContain("jdbc:postgresql");
	}

	@Test
	void dbpoolEndpointDescribesThePoolAndResizesIt() throws Exception {
		HttpResponse<String> pools = get("/actuator/dbpool");
		assertThat(pools.statusCode()).isEqualTo(200);
		JsonNode pool = json(pools).path("pools").path("db-pool-sample-pool");
		assertThat(pool.path("role").asString()).isEqualTo("primary");
		assertThat(pool.path("settings").path("app.db.pool.statement-timeout").path("source").asString()).isNotEmpty();
		assertThat(pools.body()).doesNotContain("jdbc:postgresql").doesNotContainIgnoringCase("\"password\"");
		int before = pool.path("maxConnections").asInt();
		String path = "/actuator/dbpool/db-pool-sample-pool";
		try {
			HttpResponse<String> resized = postJson(path, "{\"maxConnections\": " + (before + 2) + "}");
			assertThat(resized.statusCode()).as(resized.body()).isEqualTo(200);
			assertThat(json(resized).path("maxConnections").asInt()).isEqualTo(before + 2);
			HttpResponse<String> refused = postJson(path, "{\"maxConnections\": 0}");
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(json(refused).path("message").asString())
				.isEqualTo("max-connections 0 is not allowed: a whole number, at least 1, is");
			assertThat(postJson("/actuator/dbpool/no-such-pool", "{\"maxConnections\": 5}").statusCode())
				.isEqualTo(404);
		}
		finally {
			// The context is shared with other tests: the size they expect.
			assertThat(postJson(path, "{\"maxConnections\": " + before + "}").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void readinessDependsOnTheDbPoolAndLivenessDoesNot() throws Exception {
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(json(readiness).path("components").propertyNames()).containsExactlyInAnyOrder("readinessState",
				"dbPool");
		HttpResponse<String> liveness = get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(json(liveness).path("components").propertyNames()).containsExactly("livenessState");
	}

	@Test
	void prometheusHasTheDbPoolMetersAndTheAcquireTimeHistogram() throws Exception {
		HttpResponse<String> response = get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("db_pool_utilization{pool=\"db-pool-sample-pool\"}")
			.contains("db_pool_exhausted_total{pool=\"db-pool-sample-pool\"}")
			.contains("db_pool_exhausted_duration_seconds_count{pool=\"db-pool-sample-pool\"}")
			.contains("hikaricp_connections_acquire_seconds_bucket{")
			.contains("hikaricp_connections_pending{pool=\"db-pool-sample-pool\"}")
			.contains("db_pool_retries_total{pool=\"db-pool-sample-pool\"}")
			.contains("db_pool_budget_headroom{pool=\"db-pool-sample-pool\"}")
			// Every db.server.* meter registers: none maps to a Prometheus name another
			// holds.
			.contains("db_server_connections{pool=\"db-pool-sample-pool\",state=\"idle\"}")
			.contains("db_server_connections_used{pool=\"db-pool-sample-pool\"}")
			.contains("db_server_connections_max{pool=\"db-pool-sample-pool\"}")
			.contains("db_server_transaction_oldest_seconds{pool=\"db-pool-sample-pool\"}")
			.contains("db_server_query_longest_seconds{pool=\"db-pool-sample-pool\"}");
	}

	@Test
	void metricsListThePoolGauges() throws Exception {
		HttpResponse<String> response = get("/actuator/metrics");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).get("names").valueStream().map(JsonNode::asString)).contains(
				"hikaricp.connections.active", "jdbc.connections.max", "db.pool.utilization", "db.pool.exhausted",
				"db.pool.exhausted.duration");
	}

}
