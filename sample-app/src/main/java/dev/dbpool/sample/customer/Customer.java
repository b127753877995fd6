package dev.dbpool.sample.customer;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A row of {@code sample_customer}.
 *
 * @param id the primary key
 * @param name the display name
 * @param email the unique e-mail address
 * @param tier {@code bronze}, {@code silver} or {@code gold}
 * @param balance the account balance, debited by orders
 * @param createdAt when the customer was created
 */
public record Customer(long id, String name, String email, String tier, BigDecimal balance, OffsetDateTime createdAt) {

}
