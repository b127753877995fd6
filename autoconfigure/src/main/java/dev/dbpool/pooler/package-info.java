/**
 * A connection pooler between the pool and PostgreSQL (PgBouncer): finding it and its
 * mode at start-up, and checking that the server applies db-pool's timeouts behind it.
 */
@NullMarked
package dev.dbpool.pooler;

import org.jspecify.annotations.NullMarked;
