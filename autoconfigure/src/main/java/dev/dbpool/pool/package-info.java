/**
 * Turning db-pool properties into HikariCP and PostgreSQL driver settings: profiles,
 * resolution, validation and start-up options.
 */
@NullMarked
package dev.dbpool.pool;

import org.jspecify.annotations.NullMarked;
