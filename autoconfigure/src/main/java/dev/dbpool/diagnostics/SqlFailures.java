package dev.dbpool.diagnostics;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.util.ClassUtils;

/**
 * How db-pool names a database failure in a log line or a health detail: the SQLState,
 * which says what kind of failure it is (e.g. {@code 08001}, {@code 28000},
 * {@code 57P03}), then the message.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class SqlFailures {

	private static final boolean PGJDBC_PRESENT = ClassUtils.isPresent("org.postgresql.util.PSQLException",
			SqlFailures.class.getClassLoader());

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

	/**
	 * Return the first SQLState a failure carries: its own, else one found along its
	 * causes and, for a {@link SQLException}, the exceptions chained to it with
	 * {@link SQLException#getNextException()} (pgjdbc sets it on its
	 * {@code PSQLException}, which a wrapper may hold as a cause).
	 * @param failure the failure
	 * @return the SQLState, or {@code null} if none is found
	 */
	public static @Nullable String sqlState(Throwable failure) {
		SQLException carrier = withSqlState(failure);
		return (carrier != null) ? carrier.getSQLState() : null;
	}

	/**
	 * Whether the exception that carries a failure's first SQLState (see
	 * {@link #sqlState(Throwable)}) is an error that the server, or a pooler in front of
	 * it, sent with severity {@code FATAL}, as pgjdbc reports it: it ended the session,
	 * so the connection is gone. PgBouncer ends a client's session so, with
	 * {@code 08P01}, when it closes it under a statement: {@code database removed} (its
	 * console's {@code KILL}), {@code server conn crashed?} (the server connection broke
	 * without a word from the server).
	 * @param failure the failure
	 * @return whether it is a {@code FATAL} error; {@code false} without pgjdbc
	 * @since 0.5.0
	 */
	public static boolean isFatal(Throwable failure) {
		SQLException carrier = withSqlState(failure);
		return carrier != null && PGJDBC_PRESENT && Pgjdbc.isFatal(carrier);
	}

	private static @Nullable SQLException withSqlState(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		return withSqlState(failure, seen);
	}

	private static @Nullable SQLException withSqlState(@Nullable Throwable failure, Set<Throwable> seen) {
		if (failure == null || !seen.add(failure)) {
			return null;
		}
		if (failure instanceof SQLException sql) {
			if (sql.getSQLState() != null) {
				return sql;
			}
			SQLException next = withSqlState(sql.getNextException(), seen);
			if (next != null) {
				return next;
			}
		}
		return withSqlState(failure.getCause(), seen);
	}

	// Loaded only where pgjdbc is.
	private static final class Pgjdbc {

		static boolean isFatal(SQLException failure) {
			ServerErrorMessage server = (failure instanceof PSQLException psql) ? psql.getServerErrorMessage() : null;
			return server != null && "FATAL".equals(server.getSeverity());
		}

	}

}
