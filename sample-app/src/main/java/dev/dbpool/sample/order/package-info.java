/**
 * Placing an order: a write of two rows in one transaction.
 */
@NullMarked
package dev.dbpool.sample.order;

import org.jspecify.annotations.NullMarked;
