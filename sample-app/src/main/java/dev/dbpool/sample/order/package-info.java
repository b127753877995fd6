/**
 * Placing an order (a write of two rows in one transaction) and a customer's order
 * summary (a read-only transaction).
 */
@NullMarked
package dev.dbpool.sample.order;

import org.jspecify.annotations.NullMarked;
