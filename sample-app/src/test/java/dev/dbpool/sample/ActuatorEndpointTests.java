package dev.dbpool.sample;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/health} and {@code /actuator/metrics}, as exposed by application.yml.
 */
class ActuatorEndpointTests extends AbstractSampleApplicationTests {

	@Test
	void healthIsUpWithTheDatabase() throws Exception {
		HttpResponse<String> response = get("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode health = json(response);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
	}

	@Test
	void metricsListThePoolGauges() throws Exception {
		HttpResponse<String> response = get("/actuator/metrics");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).get("names").valueStream().map(JsonNode::asString))
			.contains("hikaricp.connections.active", "jdbc.connections.max");
	}

}
