package dev.dbpool.leaks;

import java.time.Duration;
import java.time.Instant;

/**
 * A connection held longer than the leak-detection threshold and not returned yet. Two
 * leaks are equal only if they are the same one, however alike.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class LeakedConnection {

	private final String thread;

	private final Instant borrowedAt;

	LeakedConnection(String thread, Instant borrowedAt) {
		this.thread = thread;
		this.borrowedAt = borrowedAt;
	}

	/**
	 * Return the name of the thread that borrowed the connection.
	 * @return the thread's name
	 */
	public String thread() {
		return this.thread;
	}

	/**
	 * Return when the connection was borrowed: when its leak was detected, less the
	 * threshold.
	 * @return the time
	 */
	public Instant borrowedAt() {
		return this.borrowedAt;
	}

	/**
	 * Return how long the connection has been out.
	 * @param now the time to measure to
	 * @return the time since it was borrowed
	 */
	public Duration heldFor(Instant now) {
		return Duration.between(this.borrowedAt, now);
	}

	@Override
	public String toString() {
		return "connection borrowed by '" + this.thread + "' at " + this.borrowedAt;
	}

}
