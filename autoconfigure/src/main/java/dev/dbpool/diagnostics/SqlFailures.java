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
 * {@code 57P03}), then the message, and for a refusal of PgBouncer's what to do about it.
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
	 * has no SQLState; for one of PgBouncer's refusals, followed by the fix, e.g.
	 * {@code 08P01 FATAL: no more connections allowed (max_client_conn) — fix:
	 * PgBouncer's max_client_conn is reached: raise it …}
	 */
	public static String describe(Exception ex) {
		String state = sqlStateOf(ex);
		String message = ex.getMessage();
		ConnectionFailure.Kind refusal = PgBouncerErrors.kind(state, message);
		return ((state != null) ? state + " " : "") + message
				+ ((refusal != null) ? " — fix: " + PgBouncerErrors.fix(refusal, message) : "");
	}

	/**
	 * Whether a failure is one of PgBouncer's own refusals of a client (PgBouncer sends
	 * them as {@code 08P01}; their message tells them apart), which shows that PgBouncer
	 * is between the client and the server.
	 * @param ex the failure
	 * @return whether it is one
	 */
	public static boolean isPgBouncerRefusal(Exception ex) {
		return PgBouncerErrors.kind(sqlStateOf(ex), ex.getMessage()) != null;
	}

	/**
	 * Whether a failure is one of PgBouncer's refusals that clear by themselves: its
	 * client limit ({@code max_client_conn}) while other clients leave, or its logins to
	 * the server failing while the server restarts ({@code server_login_retry}).
	 * @param ex the failure
	 * @return whether another attempt may succeed
	 */
	public static boolean isPassingPgBouncerRefusal(Throwable ex) {
		ConnectionFailure.Kind kind = (ex instanceof SQLException sql)
				? PgBouncerErrors.kind(sql.getSQLState(), sql.getMessage()) : null;
		return kind == ConnectionFailure.Kind.PGBOUNCER_CLIENT_LIMIT
				|| kind == ConnectionFailure.Kind.PGBOUNCER_SERVER_LOGIN_FAILING;
	}

	private static @Nullable String sqlStateOf(Exception ex) {
		return (ex instanceof SQLException sql) ? sql.getSQLState() : null;
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

	/**
	 * Whether a SQLState says that the connection a statement ran on is gone: class
	 * {@code 08} but {@code 08P01} unless {@code FATAL} (client and server did not
	 * understand each other, but the database is there; a {@code FATAL} one ended the
	 * session, as a pooler closing it does), or {@code 57P01} admin shutdown,
	 * {@code 57P02} crash shutdown, {@code 57P03} cannot connect now.
	 * @param sqlState the SQLState, or {@code null}
	 * @param fatal whether the error came with severity {@code FATAL}
	 * @return whether the connection is gone
	 * @since 0.7.0
	 */
	public static boolean isConnectionLost(@Nullable String sqlState, boolean fatal) {
		if (sqlState == null) {
			return false;
		}
		if (sqlState.startsWith("08")) {
			return !sqlState.equals("08P01") || fatal;
		}
		return sqlState.equals("57P01") || sqlState.equals("57P02") || sqlState.equals("57P03");
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
