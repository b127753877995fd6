package dev.dbpool.settings;

import java.time.Duration;

/**
 * How often, and how far apart, to attempt to open one physical connection: at most
 * {@link #maxAttempts()} attempts, the first included, with an exponential backoff
 * between two of them. Before the n-th retry the bound is
 * {@code min(maxBackoff, initialBackoff × 2^(n−1))}, and the wait is drawn between half
 * the bound and the bound, so that pools that lost the server at the same moment do not
 * come back in lockstep. The retry package draws the waits.
 *
 * @param maxAttempts most attempts, the first included; 1 means no retry
 * @param initialBackoff bound of the wait before the first retry
 * @param maxBackoff largest bound of a wait
 * @author db-pool
 * @since 0.3.0
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

	/** One attempt, no retry. */
	public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(2));

	/**
	 * Create a policy.
	 * @param maxAttempts most attempts, the first included; at least 1
	 * @param initialBackoff bound of the wait before the first retry; positive
	 * @param maxBackoff largest bound of a wait; at least {@code initialBackoff}
	 * @throws IllegalArgumentException if a value is out of range
	 */
	public RetryPolicy {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
		}
		if (initialBackoff.isNegative() || initialBackoff.isZero()) {
			throw new IllegalArgumentException("initialBackoff must be positive, was " + initialBackoff);
		}
		if (maxBackoff.compareTo(initialBackoff) < 0) {
			throw new IllegalArgumentException(
					"maxBackoff must be at least initialBackoff (" + initialBackoff + "), was " + maxBackoff);
		}
	}

	/**
	 * Return Spring's backoff for this policy: the waits before the retries of one call,
	 * in milliseconds, until the attempts are used up.
	 * @return a new backoff
	 */

}
