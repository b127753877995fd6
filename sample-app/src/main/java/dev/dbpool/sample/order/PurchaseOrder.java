package dev.dbpool.sample.order;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A row of {@code sample_order}.
 *
 * @param id the generated primary key
 * @param customerId the customer who placed the order
 * @param amount the amount debited from the customer's balance
 * @param createdAt when the order was placed
 */
public record PurchaseOrder(long id, long customerId, BigDecimal amount, OffsetDateTime createdAt) {

}
