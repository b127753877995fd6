/**
 * The {@code db.pool.*} meters and the acquire-time distribution of HikariCP's
 * {@code hikaricp.connections.acquire} timer.
 */
@NullMarked
package dev.dbpool.metrics;

import org.jspecify.annotations.NullMarked;
