package dev.dbpool.sample;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /customers/{id}} and {@code GET /customers?limit=N}.
 */
class CustomerEndpointTests extends AbstractSampleApplicationTests {

	@Test
	void lookupByIdReturnsTheCustomersRow() throws Exception {
		HttpResponse<String> response = get("/customers/4242");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode customer = json(response);
		assertThat(customer.get("id").asLong()).isEqualTo(4242);
		assertThat(customer.get("name").asString()).isEqualTo(column(String.class, "name", 4242));
		assertThat(customer.get("email").asString()).isEqualTo("customer4242@example.com");
		assertThat(customer.get("tier").asString()).isEqualTo(column(String.class, "tier", 4242));
		assertThat(customer.get("balance").decimalValue())
			.isEqualByComparingTo(column(BigDecimal.class, "balance", 4242));
		assertThat(OffsetDateTime.parse(customer.get("createdAt").asString()))
			.isEqualTo(column(OffsetDateTime.class, "created_at", 4242));
	}

	@Test
	void lookupOfUnknownIdIsNotFoundProblem() throws Exception {
		HttpResponse<String> response = get("/customers/987654321");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(json(response).get("detail").asString()).contains("987654321");
	}

	@Test
	void listReturnsLimitRowsOrderedById() throws Exception {
		HttpResponse<String> response = get("/customers?limit=7");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).valueStream().map((customer) -> customer.get("id").asLong())).containsExactly(1L, 2L,
				3L, 4L, 5L, 6L, 7L);
	}

	@Test
	void listDefaultsToTwentyRows() throws Exception {
		HttpResponse<String> response = get("/customers");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).size()).isEqualTo(20);
	}

	@Test
	void listAcceptsTheMaximumLimit() throws Exception {
		HttpResponse<String> response = get("/customers?limit=100");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).size()).isEqualTo(100);
	}

	@Test
	void listRejectsLimitOutOfRange() throws Exception {
		assertThat(get("/customers?limit=0").statusCode()).isEqualTo(400);
		assertThat(get("/customers?limit=101").statusCode()).isEqualTo(400);
	}

	private static <T> T column(Class<T> type, String column, long id) throws Exception {
		return queryForObject(type, "SELECT " + column + " FROM sample_customer WHERE id = ?", id);
	}

}
