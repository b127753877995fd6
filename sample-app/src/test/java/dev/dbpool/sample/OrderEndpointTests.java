package dev.dbpool.sample;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import dev.dbpool.sample.order.OrderService;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code POST /orders}: the order and the debit commit together or not at all. Each test
 * uses a customer of its own and compares balances before and after, so reruns and other
 * tests do not disturb it.
 */
class OrderEndpointTests extends AbstractSampleApplicationTests {

	private static final long UNKNOWN_CUSTOMER = 987_654_321L;

	@Autowired
	private OrderService orders;

	@Test
	void orderCommitsTheOrderRowAndTheDebit() throws Exception {
		long customerId = 1001;
		BigDecimal before = balanceOf(customerId);
		HttpResponse<String> response = postJson("/orders", """
				{"customerId": 1001, "amount": 12.34}""");
		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode order = json(response);
		assertThat(order.get("customerId").asLong()).isEqualTo(customerId);
		assertThat(order.get("amount").decimalValue()).isEqualByComparingTo("12.34");
		long orderId = order.get("id").asLong();
		assertThat(queryForObject(BigDecimal.class, "SELECT amount FROM sample_order WHERE id = ? AND customer_id = ?",
				orderId, customerId))
			.isEqualByComparingTo("12.34");
		assertThat(balanceOf(customerId)).isEqualByComparingTo(before.subtract(new BigDecimal("12.34")));
	}

	@Test
	void orderSummaryCountsTheCustomersOrders() throws Exception {
		long customerId = 1004;
		JsonNode before = json(get("/customers/1004/order-summary"));
		assertThat(before.get("customerId").asLong()).isEqualTo(customerId);
		assertThat(before.get("tier").asString()).isNotEmpty();
		assertThat(postJson("/orders", """
				{"customerId": 1004, "amount": 2.50}""").statusCode()).isEqualTo(201);
		JsonNode after = json(get("/customers/1004/order-summary"));
		assertThat(after.get("orders").asLong()).isEqualTo(before.get("orders").asLong() + 1);
		assertThat(after.get("totalAmount").decimalValue())
			.isEqualByComparingTo(before.get("totalAmount").decimalValue().add(new BigDecimal("2.50")));
		assertThat(after.get("balance").decimalValue())
			.isEqualByComparingTo(before.get("balance").decimalValue().subtract(new BigDecimal("2.50")));
		assertThat(after.get("lastOrderAt").isNull()).isFalse();
	}

	@Test
	void orderSummaryOfUnknownCustomerIsNotFound() throws Exception {
		HttpResponse<String> response = get("/customers/%d/order-summary".formatted(UNKNOWN_CUSTOMER));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(json(response).get("detail").asString()).contains(Long.toString(UNKNOWN_CUSTOMER));
	}

	@Test
	void orderForUnknownCustomerIsNotFoundAndWritesNothing() throws Exception {
		long ordersBefore = orderCount();
		HttpResponse<String> response = postJson("/orders", """
				{"customerId": %d, "amount": 5.00}""".formatted(UNKNOWN_CUSTOMER));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(json(response).get("detail").asString()).contains(Long.toString(UNKNOWN_CUSTOMER));
		assertThat(
				queryForObject(Long.class, "SELECT count(*) FROM sample_order WHERE customer_id = ?", UNKNOWN_CUSTOMER))
			.isZero();
		assertThat(orderCount()).isEqualTo(ordersBefore);
	}

	@Test
	void nonPositiveAmountIsBadRequestAndChangesNothing() throws Exception {
		long customerId = 1002;
		BigDecimal before = balanceOf(customerId);
		assertThat(postJson("/orders", """
				{"customerId": 1002, "amount": 0}""").statusCode()).isEqualTo(400);
		assertThat(postJson("/orders", """
				{"customerId": 1002, "amount": -3.50}""").statusCode()).isEqualTo(400);
		assertThat(balanceOf(customerId)).isEqualByComparingTo(before);
	}

	@Test
	void failedInsertRollsBackTheDebit() throws Exception {
		// Below the web layer, which refuses this amount: the debit succeeds, then the
		// insert breaks sample_order's CHECK (amount > 0), and the debit must roll back
		// with it.
		long customerId = 1003;
		BigDecimal before = balanceOf(customerId);
		assertThatExceptionOfType(DataIntegrityViolationException.class)
			.isThrownBy(() -> this.orders.place(customerId, new BigDecimal("-7.00")));
		assertThat(balanceOf(customerId)).isEqualByComparingTo(before);
	}

	private static BigDecimal balanceOf(long customerId) throws Exception {
		return queryForObject(BigDecimal.class, "SELECT balance FROM sample_customer WHERE id = ?", customerId);
	}

	private static long orderCount() throws Exception {
		return queryForObject(Long.class, "SELECT count(*) FROM sample_order");
	}

}
