package dev.dbpool.diagnostics;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dbpool.diagnostics.ConnectionFailure.Kind;
import org.jspecify.annotations.Nullable;

/**
 * PgBouncer's own refusals of a client, told apart by their message (PgBouncer sends them
 * all as SQLState {@code 08P01}), each with the short fix that both the start-up failure
 * analysis and the log lines ({@link SqlFailures#describe(Exception)}) give. Plain text
 * only: used where pgjdbc may be missing.
 *
 * @author db-pool
 * @since 0.5.0
 */
final class PgBouncerErrors {

	/** What PgBouncer sends every refusal as: protocol violation. */
	static final String SQL_STATE = "08P01";

	private static final Pattern STARTUP_PARAMETER = Pattern.compile("unsupported startup parameter: (\\S+)");

	private static final Pattern NO_SUCH_DATABASE = Pattern.compile("no such database: (\\S+)");

	private static final String EXTRA_FLOAT_DIGITS = "extra_float_digits";

	private static final String OPTIONS = "options";

	private PgBouncerErrors() {
	}

	/**
	 * Tell which refusal of PgBouncer a failure is.
	 * @param sqlState the failure's SQLState
	 * @param message its message, with or without the severity in front
	 * @return the kind, or {@code null} if it is none of PgBouncer's refusals
	 */
	static @Nullable Kind kind(@Nullable String sqlState, @Nullable String message) {
		if (!SQL_STATE.equals(sqlState) || message == null) {
			return null;
		}
		String parameter = parameter(message);
		if (parameter != null) {
			return parameter.equals(EXTRA_FLOAT_DIGITS) ? Kind.PGBOUNCER_EXTRA_FLOAT_DIGITS
					: Kind.PGBOUNCER_STARTUP_PARAMETER;
		}
		if (message.contains("no more connections allowed (max_client_conn)")) {
			return Kind.PGBOUNCER_CLIENT_LIMIT;
		}
		if (message.contains("transaction blocks not allowed in statement pooling mode")) {
			return Kind.PGBOUNCER_STATEMENT_MODE;
		}
		if (NO_SUCH_DATABASE.matcher(message).find()) {
			return Kind.PGBOUNCER_NO_SUCH_DATABASE;
		}
		if (message.contains("server login has been failing")) {
			return Kind.PGBOUNCER_SERVER_LOGIN_FAILING;
		}
		return null;
	}

	/**
	 * Return the start-up parameter PgBouncer refused.
	 * @param message the refusal
	 * @return the parameter, e.g. {@code options}, or {@code null}
	 */
	static @Nullable String parameter(String message) {
		Matcher matcher = STARTUP_PARAMETER.matcher(message);
		return matcher.find() ? matcher.group(1) : null;
	}

	/**
	 * Return the database PgBouncer does not know.
	 * @param message the refusal
	 * @return the database, or {@code null}
	 */
	static @Nullable String database(String message) {
		Matcher matcher = NO_SUCH_DATABASE.matcher(message);
		return matcher.find() ? matcher.group(1) : null;
	}

	/**
	 * Return what to do about a refusal, in a few words.
	 * @param kind the refusal, one of PgBouncer's
	 * @param message its message, for the parameter or database it names
	 * @return the fix, starting in lower case, without a final period
	 */
	static String fix(Kind kind, String message) {
		return switch (kind) {
			case PGBOUNCER_EXTRA_FLOAT_DIGITS -> "add ignore_startup_parameters = extra_float_digits to the "
					+ "[pgbouncer] section of pgbouncer.ini and reload PgBouncer (pgjdbc before 42.7.5 sends it "
					+ "on every connection; 42.7.5 and later do not)";
			case PGBOUNCER_STARTUP_PARAMETER -> startupParameterFix(or(parameter(message), "the parameter"));
			case PGBOUNCER_CLIENT_LIMIT -> "PgBouncer's max_client_conn is reached: raise it in pgbouncer.ini, or "
					+ "lower the connections its clients open (instances × app.db.pool.max-connections, with "
					+ "every other client of this PgBouncer)";
			case PGBOUNCER_STATEMENT_MODE -> "run PgBouncer with pool_mode = transaction (or session) for this "
					+ "database or user: a JDBC pool and @Transactional need transactions";
			case PGBOUNCER_NO_SUCH_DATABASE -> "add " + or(database(message), "the database")
					+ " to the [databases] section of pgbouncer.ini (or a * entry for every database) and reload "
					+ "PgBouncer, or fix the database name in the JDBC URL";
			case PGBOUNCER_SERVER_LOGIN_FAILING -> "PgBouncer cannot connect or log in to PostgreSQL, and refuses "
					+ "clients for server_login_retry (15s by default) after each failure: check that PostgreSQL "
					+ "is up, the host and port of the [databases] entry in pgbouncer.ini, the server's "
					+ "pg_hba.conf and the password PgBouncer logs in with; PgBouncer's log names the cause";
			default -> throw new IllegalArgumentException("Not one of PgBouncer's refusals: " + kind);
		};
	}

	private static String startupParameterFix(String parameter) {
		if (parameter.equals(OPTIONS)) {
			return "remove options from the JDBC URL and the driver properties: behind PgBouncer "
					+ "(app.db.pool.pooler.mode pgbouncer-session or pgbouncer-transaction, or auto once it finds "
					+ "PgBouncer) db-pool sends no options of its own; or list options in ignore_startup_parameters "
					+ "in pgbouncer.ini, but then PgBouncer drops it and the settings it carries silently stop "
					+ "holding";
		}
		String source = parameter.equals("search_path") ? " (pgjdbc sends search_path for currentSchema)" : "";
		return "remove what sends " + parameter + " from the JDBC URL and the driver properties" + source + "; or list "
				+ parameter + " in ignore_startup_parameters in pgbouncer.ini, but then PgBouncer "
				+ "drops it and its setting silently stops holding";
	}

	private static String or(@Nullable String value, String fallback) {
		return (value != null) ? value : fallback;
	}

}
