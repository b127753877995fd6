package dev.dbpool.server;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How a {@link ServerView} reads the server and what it warns about.
 *
 * @param interval time between two reads of the server
 * @param idleInTransactionWarning how long a session may stay idle in a transaction
 * before a read logs a WARN about it
 * @param idleInTransactionTimeout the server's
 * {@code idle_in_transaction_session_timeout} on the pool's connections, named in that
 * WARN; 0 for none
 * @author db-pool
 * @since 0.3.0
 */
public record ServerViewSettings(Duration interval, Duration idleInTransactionWarning,
		Duration idleInTransactionTimeout) {

	/**
	 * Create settings, checking they make sense.
	 * @param interval time between two reads, positive
	 * @param idleInTransactionWarning idle-in-transaction time that is warned about,
	 * positive
	 * @param idleInTransactionTimeout the server's idle-in-transaction timeout, 0 or
	 * positive
	 */
	public ServerViewSettings {
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		Assert.isTrue(!idleInTransactionWarning.isNegative() && !idleInTransactionWarning.isZero(),
				"'idleInTransactionWarning' must be positive");
		Assert.isTrue(!idleInTransactionTimeout.isNegative(), "'idleInTransactionTimeout' must not be negative");
	}

}
