package dev.dbpool.sample;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/health} (with its probes), {@code /actuator/metrics} and
 * {@code /actuator/prometheus}, as exposed by application.yml.
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
