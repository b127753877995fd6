package dev.dbpool.settings;

/**
 * How the pool's size is chosen while it runs.
 *
 * @author db-pool
 * @since 0.8.0
 */
public enum PoolSizing {

	/**
	 * max-connections, as configured (or as resized through the {@code dbpool} endpoint).
	 */
	FIXED,

	/**
	 * A limit that moves between min-connections and max-connections with the load:
	 * larger while threads wait for a connection and the database keeps up, smaller while
	 * hold times grow with the connections in use, that is while the database, not the
	 * pool, is the bottleneck.
	 */
	ADAPTIVE

}
