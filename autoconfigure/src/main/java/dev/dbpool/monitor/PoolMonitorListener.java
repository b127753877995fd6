package dev.dbpool.monitor;

import java.time.Duration;

/**
 * Told by a {@link PoolMonitor} when a pool is first seen started and when an exhaustion
 * episode starts and ends. Called on the thread that observed it (the monitor's, or a
 * health check's), while the pool's state is locked: return quickly, never block.
 *
 * @author db-pool
 * @since 0.2.0
 */
public interface PoolMonitorListener {

	/**
	 * A pool was seen started for the first time: its name is now final.
	 * @param pool the pool
	 */
	default void poolStarted(PoolState pool) {
	}

	/**
	 * A pool was first seen exhausted: every connection borrowed, threads waiting.
	 * @param pool the pool
	 */
	default void exhaustionStarted(PoolState pool) {
	}

	/**
	 * A pool was first seen no longer exhausted.
	 * @param pool the pool
	 * @param duration how long the episode lasted, from the first observation where it
	 * held to the first where it no longer did
	 */
	default void exhaustionEnded(PoolState pool, Duration duration) {
	}

}
