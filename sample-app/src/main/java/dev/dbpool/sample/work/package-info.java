/**
 * Holding a pooled connection on request, to show the pool saturating; and a query that
 * makes the database work, to load its CPU.
 */
@NullMarked
package dev.dbpool.sample.work;

import org.jspecify.annotations.NullMarked;
