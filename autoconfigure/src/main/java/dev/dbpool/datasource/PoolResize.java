package dev.dbpool.datasource;

import java.time.Instant;

/**
 * A change of a running pool's size.
 *
 * @param pool the pool's name
 * @param oldMaxConnections max-connections before
 * @param maxConnections max-connections after
 * @param oldMinConnections min-connections before
 * @param minConnections min-connections after
 * @param reason who or what changed it, e.g. {@code the dbpool endpoint}
 * @param time when
 * @author db-pool
 * @since 0.8.0
 * @see DbPoolDataSource#resize(Integer, Integer, String)
 */
public record PoolResize(String pool, int oldMaxConnections, int maxConnections, int oldMinConnections,
		int minConnections, String reason, Instant time) {

}
