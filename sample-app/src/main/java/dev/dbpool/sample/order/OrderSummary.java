package dev.dbpool.sample.order;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A customer's orders at a glance, as {@code GET /customers/{id}/order-summary} answers.
 *
 * @param customerId the customer
 * @param name the customer's display name
 * @param tier the customer's tier
 * @param balance the customer's balance
 * @param orders how many orders the customer has placed
 * @param totalAmount the sum of their amounts, 0 without orders
 * @param lastOrderAt when the latest was placed, {@code null} without orders
 */
public record OrderSummary(long customerId, String name, String tier, BigDecimal balance, long orders,
		BigDecimal totalAmount, @Nullable OffsetDateTime lastOrderAt) {

}
