package dev.dbpool.sample.order;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /orders}. Both fields may be missing from the JSON; the
 * controller checks them.
 *
 * @param customerId the customer placing the order
 * @param amount the amount to debit
 */
public record OrderRequest(@Nullable Long customerId, @Nullable BigDecimal amount) {

}
