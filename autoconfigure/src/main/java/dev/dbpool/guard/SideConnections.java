package dev.dbpool.guard;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens connections beside a pool, never from it, for a guard that reads the server: the
 * connection budget at start-up, the server-side view while the pool runs, even when it
 * is exhausted. A side connection is opened as the pool opens its own (same URL, driver
 * properties and current credentials), without retries, and carries an
 * {@code application_name} of its own, {@code "<pool's> [db-pool <purpose>]"}, so that
 * the server never counts it among the pool's connections.
 *
 * @author db-pool
 * @since 0.4.0
 */
@FunctionalInterface
public interface SideConnections {

	/**
	 * Open a side connection; the caller closes it.
	 * @param purpose what the connection is for, e.g. {@code budget}
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	Connection open(String purpose) throws SQLException;

	/**
	 * Open a side connection to one of the hosts the pool's URL names, rather than the
	 * first that answers; the caller closes it.
	 * @param host the host, as {@code host:port}
	 * @param purpose what the connection is for
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 * @since 0.7.0
	 */
	default Connection open(String host, String purpose) throws SQLException {
		return open(purpose);
	}

}
