/**
 * Holding a pooled connection on request, to show the pool saturating.
 */
@NullMarked
package dev.dbpool.sample.work;

import org.jspecify.annotations.NullMarked;
