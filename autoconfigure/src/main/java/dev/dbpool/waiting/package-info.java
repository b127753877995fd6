/**
 * The waiter cap ({@code app.db.pool.max-waiting}): a borrow that would make too many
 * threads wait for a connection is rejected at once with a
 * {@link dev.dbpool.waiting.PoolSaturatedException}.
 */
@NullMarked
package dev.dbpool.waiting;

import org.jspecify.annotations.NullMarked;
