package dev.dbpool.sample.order;

import java.math.BigDecimal;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Orders over HTTP. {@code POST /orders} places one, a write in one transaction.
 * {@code GET /customers/{id}/order-summary} sums up a customer's orders in a read-only
 * transaction, which a read replica serves where one is configured.
 */
@RestController
public class OrderController {

	// Far below what numeric(12, 2) holds, so a typo is a 400 rather than a database
	// error.
	private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");

	private final OrderService orders;

	OrderController(OrderService orders) {
		this.orders = orders;
	}

	@PostMapping("/orders")
	@ResponseStatus(HttpStatus.CREATED)
	PurchaseOrder place(@RequestBody OrderRequest request) {
		Long customerId = request.customerId();
		BigDecimal amount = request.amount();
		if (customerId == null) {
			throw badRequest("customerId is required");
		}
		if (amount == null || amount.signum() <= 0) {
			throw badRequest("amount must be positive");
		}
		if (amount.compareTo(MAX_AMOUNT) > 0 || amount.stripTrailingZeros().scale() > 2) {
			throw badRequest("amount must be at most " + MAX_AMOUNT + " with at most 2 decimals");
		}
		return this.orders.place(customerId, amount);
	}

	@GetMapping("/customers/{id}/order-summary")
	OrderSummary summary(@PathVariable long id) {
		return this.orders.summary(id);
	}

	private static ResponseStatusException badRequest(String detail) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, detail);
	}

}
