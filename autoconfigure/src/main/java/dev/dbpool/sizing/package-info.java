/**
 * Adaptive sizing: a pool's limit, moved between min-connections and max-connections by
 * what its borrow timings say of the database.
 */
@NullMarked
package dev.dbpool.sizing;

import org.jspecify.annotations.NullMarked;
