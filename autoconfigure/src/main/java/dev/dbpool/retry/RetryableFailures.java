package dev.dbpool.retry;

import dev.dbpool.diagnostics.SqlFailures;
import org.jspecify.annotations.Nullable;

/**
 * Which failures to open a connection are worth another attempt: those the server may
 * recover from by itself within moments, told apart by their SQLState.
 * <ul>
 * <li>class {@code 08}, connection exception: the server refused or dropped the
 * connection, or could not be reached (pgjdbc: {@code 08001} could not connect,
 * {@code 08006} connection failure, {@code 08004} the server rejected the connection);
 * but not {@code 08P01}, protocol violation;</li>
 * <li>{@code 57P01} admin shutdown, {@code 57P02} crash shutdown, {@code 57P03} cannot
 * connect now (the database system is starting up or shutting down);</li>
 * <li>{@code 53300} too many connections: the server is out of slots for now;</li>
 * <li>two of PgBouncer's refusals, which it sends as {@code 08P01}: its client limit
 * ({@code max_client_conn}) and its logins to the server failing for a while
 * ({@code server_login_retry}, while the server restarts).</li>
 * </ul>
 * Everything else is not retried: a protocol violation ({@code 08P01}: the server, or a
 * connection pooler in front of it, did not accept what the driver sent, e.g. PgBouncer's
 * {@code unsupported startup parameter: options}, which the next attempt would send
 * again), a wrong password or a role that may not log in ({@code 28000}, {@code 28P01}),
 * a missing database ({@code 3D000}), any error of a statement, and a failure that
 * carries no SQLState at all.
 *
 * @author db-pool
 * @since 0.3.0
 */
final class RetryableFailures {

	private RetryableFailures() {
	}

	/**
	 * Whether a failure to open a connection is worth another attempt.
	 * @param failure the failure
	 * @return whether its SQLState says the server may recover by itself
	 */
	static boolean isRetryable(Throwable failure) {
		return isRetryable(SqlFailures.sqlState(failure)) || SqlFailures.isPassingPgBouncerRefusal(failure);
	}

	/**
	 * Whether a SQLState says the server may recover by itself.
	 * @param sqlState the SQLState, or {@code null}
	 * @return whether it is retryable
	 */
	static boolean isRetryable(@Nullable String sqlState) {
		if (sqlState == null) {
			return false;
		}
		if (sqlState.startsWith("08")) {
			// 08P01 comes from the configuration or the software on either side, not from
			// the server's state: it does not heal, so fail at once with the server's
			// message rather than hide it behind retries.
			return !sqlState.equals("08P01");
		}
		return sqlState.equals("57P01") || sqlState.equals("57P02") || sqlState.equals("57P03")
				|| sqlState.equals("53300");
	}

}
