package dev.dbpool.retry;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Which failures to open a connection are worth another attempt: those the server may
 * recover from by itself within moments, told apart by their SQLState.
 * <ul>
 * <li>class {@code 08}, connection exception: the server refused or dropped the
 * connection, or could not be reached (pgjdbc: {@code 08001} could not connect,
 * {@code 08006} connection failure);</li>
 * <li>{@code 57P01} admin shutdown, {@code 57P02} crash shutdown, {@code 57P03} cannot
 * connect now (the database system is starting up or shutting down);</li>
 * <li>{@code 53300} too many connections: the server is out of slots for now.</li>
 * </ul>
 * Everything else is not retried: a wrong password or a role that may not log in
 * ({@code 28000}, {@code 28P01}), a missing database ({@code 3D000}), any error of a
 * statement, and a failure that carries no SQLState at all.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class RetryableFailures {

	private RetryableFailures() {
	}

	/**
	 * Whether a failure to open a connection is worth another attempt.
	 * @param failure the failure
	 * @return whether its SQLState says the server may recover by itself
	 */
	public static boolean isRetryable(Throwable failure) {
		return isRetryable(sqlState(failure));
	}

	/**
	 * Whether a SQLState says the server may recover by itself.
	 * @param sqlState the SQLState, or {@code null}
	 * @return whether it is retryable
	 */
	public static boolean isRetryable(@Nullable String sqlState) {
		if (sqlState == null) {
			return false;
		}
		return sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02")
				|| sqlState.equals("57P03") || sqlState.equals("53300");
	}

	/**
	 * Return the first SQLState a failure carries: its own, else one found along its
	 * causes and, for a {@link SQLException}, the exceptions chained to it with
	 * {@link SQLException#getNextException()} (pgjdbc sets it on its
	 * {@code PSQLException}, which a wrapper may hold as a cause).
	 * @param failure the failure
	 * @return the SQLState, or {@code null} if none is found
	 */
	public static @Nullable String sqlState(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		return sqlState(failure, seen);
	}

	private static @Nullable String sqlState(@Nullable Throwable failure, Set<Throwable> seen) {
		if (failure == null || !seen.add(failure)) {
			return null;
		}
		if (failure instanceof SQLException sql) {
			if (sql.getSQLState() != null) {
				return sql.getSQLState();
			}
			String next = sqlState(sql.getNextException(), seen);
			if (next != null) {
				return next;
			}
		}
		return sqlState(failure.getCause(), seen);
	}

}
