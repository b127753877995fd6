package dev.dbpool.diagnostics;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A failure to open a connection to PostgreSQL, found in a start-up failure's causes and
 * told apart by what the driver or the server said: its SQLState, the server's message,
 * and the network failure beneath it. Uses pgjdbc's types: only touched where pgjdbc is
 * on the class path.
 *
 * @author db-pool
 * @since 0.4.0
 */
final class ConnectionFailure {

	/** What went wrong, as far as it changes what to do about it. */
	enum Kind {

		/** The host name does not resolve. */
		UNKNOWN_HOST,

		/** Nothing listens on the host and port. */
		REFUSED,

		/** The host did not answer in time, or there is no route to it. */
		UNREACHABLE,

		/** The client asks for SSL and the server does not offer it. */
		SSL_NOT_SUPPORTED,

		/** SSL was negotiated and failed: certificate, host name, protocol. */
		SSL_FAILED,

		/** The server asks for a password and none was given. */
		NO_PASSWORD,

		/** {@code 28P01}: wrong password. */
		PASSWORD_FAILED,

		/** {@code 28000}: no such role. */
		ROLE_MISSING,

		/** {@code 28000}: the role may not log in. */
		ROLE_CANNOT_LOGIN,

		/** {@code 28000}: pg_hba.conf has an entry for this client over SSL only. */
		HBA_NEEDS_SSL,

		/** {@code 28000}: pg_hba.conf has an entry for this client without SSL only. */
		HBA_REFUSES_SSL,

		/** {@code 28000}: pg_hba.conf has no entry for this client, user and database. */
		HBA_NO_ENTRY,

		/** {@code 28000}: pg_hba.conf rejects this client, user and database. */
		HBA_REJECTS,

		/** Another {@code 28000}. */
		NOT_AUTHORIZED,

		/** {@code 3D000}: no such database. */
		DATABASE_MISSING,

		/** {@code 53300} for a role's {@code CONNECTION LIMIT}. */
		TOO_MANY_FOR_ROLE,

		/** {@code 53300} for a database's {@code CONNECTION LIMIT}. */
		TOO_MANY_FOR_DATABASE,

		/** {@code 53300} for the server's {@code max_connections}. */
		TOO_MANY_ON_SERVER,

		/**
		 * PgBouncer refuses the {@code extra_float_digits} start-up parameter, which
		 * older pgjdbc versions send.
		 */
		PGBOUNCER_EXTRA_FLOAT_DIGITS,

		/** PgBouncer refuses another start-up parameter, e.g. {@code options}. */
		PGBOUNCER_STARTUP_PARAMETER,

		/** PgBouncer has no client connection left ({@code max_client_conn}). */
		PGBOUNCER_CLIENT_LIMIT,

		/** PgBouncer runs in statement mode, which refuses transactions. */
		PGBOUNCER_STATEMENT_MODE,

		/** PgBouncer has no entry for the database in its {@code [databases]}. */
		PGBOUNCER_NO_SUCH_DATABASE,

		/** PgBouncer cannot connect or log in to the server behind it. */
		PGBOUNCER_SERVER_LOGIN_FAILING,

		/** Anything else. */
		OTHER

	}

	private static final Pattern ROLE_DOES_NOT_EXIST = Pattern.compile("role \"(.*)\" does not exist");

	private static final Pattern DATABASE_DOES_NOT_EXIST = Pattern.compile("database \"(.*)\" does not exist");

	private final PSQLException exception;

	private final String sqlState;

	private final String message;

	private final @Nullable Throwable networkCause;

	private final Kind kind;

	private ConnectionFailure(PSQLException exception, String sqlState) {
		this.exception = exception;
		this.sqlState = sqlState;
		this.message = plainMessage(exception);
		this.networkCause = networkCause(exception);
		this.kind = classify();
	}

	/**
	 * Find the failure to connect among a failure's causes: the innermost pgjdbc
	 * exception whose SQLState says a connection could not be opened (class {@code 08}
	 * connection exception, class {@code 28} invalid authorization, {@code 3D000} no such
	 * database, {@code 53300} too many connections, {@code 57P03} cannot connect now);
	 * one chained to it with {@link SQLException#getNextException()} only where no cause
	 * is one.
	 * @param failure the start-up failure
	 * @return the failure to connect, or {@code null} if there is none
	 */
	static @Nullable ConnectionFailure find(Throwable failure) {
		List<PSQLException> causes = new ArrayList<>();
		List<PSQLException> chained = new ArrayList<>();
		collect(failure, causes, chained, Collections.newSetFromMap(new IdentityHashMap<>()));
		ConnectionFailure found = innermost(causes);
		// What went wrong after the server's error, e.g. the I/O error of reading on
		// once PgBouncer closed the connection, says less than the error itself.
		return (found != null) ? found : innermost(chained);
	}

	// Innermost first: a wrapper (HikariCP's timeout) copies the SQLState of the
	// driver's exception, which says more.
	private static @Nullable ConnectionFailure innermost(List<PSQLException> found) {
		for (int i = found.size() - 1; i >= 0; i--) {
			String state = found.get(i).getSQLState();
			if (state != null && isConnectionState(state)) {
				return new ConnectionFailure(found.get(i), state);
			}
		}
		return null;
	}

	private static void collect(@Nullable Throwable failure, List<PSQLException> causes, List<PSQLException> chained,
			Set<Throwable> seen) {
		if (failure == null || !seen.add(failure)) {
			return;
		}
		if (failure instanceof PSQLException psql) {
			causes.add(psql);
		}
		collect(failure.getCause(), causes, chained, seen);
		if (failure instanceof SQLException sql) {
			collect(sql.getNextException(), chained, chained, seen);
		}
	}

	private static boolean isConnectionState(String state) {
		return state.startsWith("08") || state.startsWith("28") || state.equals("3D000") || state.equals("53300")
				|| state.equals("57P03");
	}

	// The server's own words without the severity pgjdbc puts in front, with its detail
	// and hint; the driver's message where the server said nothing.
	private static String plainMessage(PSQLException exception) {
		ServerErrorMessage server = exception.getServerErrorMessage();
		if (server == null || server.getMessage() == null) {
			return String.valueOf(exception.getMessage());
		}
		StringBuilder message = new StringBuilder(server.getMessage());
		if (server.getDetail() != null) {
			message.append(" (detail: ").append(server.getDetail()).append(')');
		}
		if (server.getHint() != null) {
			message.append(" (hint: ").append(server.getHint()).append(')');
		}
		return message.toString();
	}

	private static @Nullable Throwable networkCause(PSQLException exception) {
		for (Throwable cause = exception.getCause(); cause != null
				&& cause != cause.getCause(); cause = cause.getCause()) {
			if (!(cause instanceof SQLException)) {
				return cause;
			}
		}
		return null;
	}

	private Kind classify() {
		if (has(UnknownHostException.class)) {
			return Kind.UNKNOWN_HOST;
		}
		if (has(SocketTimeoutException.class) || has(NoRouteToHostException.class)) {
			return Kind.UNREACHABLE;
		}
		if (has(ConnectException.class)) {
			ConnectException refused = cause(ConnectException.class);
			String text = (refused != null) ? String.valueOf(refused.getMessage()).toLowerCase(Locale.ROOT) : "";
			return text.contains("timed out") ? Kind.UNREACHABLE : Kind.REFUSED;
		}
		if (has(SSLException.class)) {
			return Kind.SSL_FAILED;
		}
		String text = this.message;
		return switch (this.sqlState) {
			case "08004" -> {
				if (text.contains("SSL")) {
					yield Kind.SSL_NOT_SUPPORTED;
				}
				yield (text.contains("no password was provided") || text.contains("password is an empty string"))
						? Kind.NO_PASSWORD : Kind.OTHER;
			}
			case "28P01" -> Kind.PASSWORD_FAILED;
			case "28000" -> authorizationKind(text);
			case "3D000" -> Kind.DATABASE_MISSING;
			case PgBouncerErrors.SQL_STATE -> pgBouncerKind(text);
			case "53300" -> {
				if (text.contains("for role")) {
					yield Kind.TOO_MANY_FOR_ROLE;
				}
				yield text.contains("for database") ? Kind.TOO_MANY_FOR_DATABASE : Kind.TOO_MANY_ON_SERVER;
			}
			default -> Kind.OTHER;
		};
	}

	// PgBouncer's own refusals, and the server's refusal of PgBouncer's login, which
	// PgBouncer passes on under its own SQLState.
	private static Kind pgBouncerKind(String text) {
		Kind refusal = PgBouncerErrors.kind(PgBouncerErrors.SQL_STATE, text);
		if (refusal != null) {
			return refusal;
		}
		if (ROLE_DOES_NOT_EXIST.matcher(text).find()) {
			return Kind.ROLE_MISSING;
		}
		return DATABASE_DOES_NOT_EXIST.matcher(text).find() ? Kind.DATABASE_MISSING : Kind.OTHER;
	}

	private static Kind authorizationKind(String text) {
		if (ROLE_DOES_NOT_EXIST.matcher(text).find()) {
			return Kind.ROLE_MISSING;
		}
		if (text.contains("is not permitted to log in")) {
			return Kind.ROLE_CANNOT_LOGIN;
		}
		if (text.contains("pg_hba.conf rejects")) {
			return Kind.HBA_REJECTS;
		}
		if (text.contains("no pg_hba.conf entry")) {
			// PostgreSQL names the encryption the client used: "no encryption", "SSL
			// encryption" or "GSS encryption" (before 12: "SSL off", "SSL on").
			if (text.contains("no encryption") || text.contains("SSL off")) {
				return Kind.HBA_NEEDS_SSL;
			}
			if (text.contains("SSL encryption") || text.contains("SSL on")) {
				return Kind.HBA_REFUSES_SSL;
			}
			return Kind.HBA_NO_ENTRY;
		}
		return Kind.NOT_AUTHORIZED;
	}

	private boolean has(Class<? extends Throwable> type) {
		return cause(type) != null;
	}

	private <T extends Throwable> @Nullable T cause(Class<T> type) {
		for (Throwable cause = this.exception.getCause(); cause != null
				&& cause != cause.getCause(); cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	/**
	 * Return the role the server named in a {@code role "…" does not exist} message.
	 * @return the role, or {@code null}
	 */
	@Nullable String missingRole() {
		Matcher matcher = ROLE_DOES_NOT_EXIST.matcher(this.message);
		return matcher.find() ? matcher.group(1) : null;
	}

	PSQLException exception() {
		return this.exception;
	}

	String sqlState() {
		return this.sqlState;
	}

	/**
	 * Return what the server or the driver said, in its own words: the server's message
	 * without the severity, with its detail and hint; else the driver's message.
	 * @return the message
	 */
	String message() {
		return this.message;
	}

	/**
	 * Return the network failure beneath the driver's exception, e.g.
	 * {@code UnknownHostException: db.invalid}.
	 * @return the failure, or {@code null} if there was none
	 */
	@Nullable Throwable networkCause() {
		return this.networkCause;
	}

	Kind kind() {
		return this.kind;
	}

}
