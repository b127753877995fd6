package dev.dbpool.diagnostics;

import java.sql.SQLException;

/**
 * How db-pool names a database failure in a log line or a health detail: the SQLState,
 * which says what kind of failure it is (e.g. {@code 08001}, {@code 28000},
 * {@code 57P03}), then the message.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class SqlFailures {

	private SqlFailures() {
	}

	/**
	 * Describe a failure.
	 * @param ex the failure
	 * @return its SQLState and message, e.g.
	 * {@code 57P03 FATAL: the database system is starting up}; the message alone if it
	 * has no SQLState
	 */
	public static String describe(Exception ex) {
		String state = (ex instanceof SQLException sql && sql.getSQLState() != null) ? sql.getSQLState() + " " : "";
		return state + ex.getMessage();
	}

}
