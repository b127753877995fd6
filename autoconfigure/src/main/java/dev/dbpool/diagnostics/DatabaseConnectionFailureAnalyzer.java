package dev.dbpool.diagnostics;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Reports a start-up that failed because PostgreSQL could not be reached or refused the
 * connection, wherever the first connection was opened (an application or command-line
 * runner, Flyway, Liquibase, JPA, {@code spring.sql.init}) and however it was wrapped
 * ({@code CannotGetJdbcConnectionException}, HikariCP's exceptions, a
 * {@code BeanCreationException}): instead of a stack trace, the server, the database and
 * the user, where the URL came from, the SQLState and message, and what to do about this
 * cause. Passwords never appear: the URL is masked and the password's source is named,
 * never its value.
 * <p>
 * A failure with no connection failure among its causes is left to the other analyzers,
 * and so is one db-pool already explains as configuration
 * ({@link InvalidDbPoolConfigurationException}). Spring Boot's own JDBC analyzers answer
 * other exceptions (a {@code DataSource} without a URL, HikariCP's
 * {@code dataSourceClassName}), so the order among them does not matter.
 *
 * @author db-pool
 * @since 0.4.0
 */
class DatabaseConnectionFailureAnalyzer implements FailureAnalyzer {

	/** Looked up by name: pgjdbc is optional. */
	static final String PGJDBC_DRIVER = "org.postgresql.Driver";

	private static final boolean PGJDBC_PRESENT = ClassUtils.isPresent(PGJDBC_DRIVER,
			DatabaseConnectionFailureAnalyzer.class.getClassLoader());

	private static final String POOLER_MODE = "app.db.pool.pooler.mode";

	private static final String DRIVER_PROPERTIES = "spring.datasource.hikari.data-source-properties.";

	private static final String ERROR_CODES = "https://www.postgresql.org/docs/current/errcodes-appendix.html";

	private static final String BUDGET = "db-pool's connection budget check (app.db.pool.budget.mode) reads "
			+ "these limits at start-up and logs them with the largest safe max-connections, when it could read "
			+ "them: see its line above.";

	private static final Map<String, String> STATES = Map.of("08001", "the client could not connect", "08004",
			"the server rejected the connection", "08006", "connection failure", PgBouncerErrors.SQL_STATE,
			"protocol violation, as PgBouncer sends its own errors", "28000", "invalid authorization", "28P01",
			"invalid password", "3D000", "no such database", "53300", "too many connections", "57P03",
			"cannot connect now");

	private static final Pattern REFUSED_ADDRESS = Pattern.compile("Connection to (\\S+) refused");

	private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

	private final Environment environment;

	private final BeanFactory beanFactory;

	/**
	 * Create an analyzer; Spring Boot passes the failed application's environment and
	 * bean factory.
	 * @param environment the environment, where the URL and credentials were configured
	 * @param beanFactory the bean factory, to find a {@code JdbcConnectionDetails} bean
	 */
	DatabaseConnectionFailureAnalyzer(Environment environment, BeanFactory beanFactory) {
		this.environment = environment;
		this.beanFactory = beanFactory;
	}

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		if (!PGJDBC_PRESENT || isConfigurationFailure(failure)) {
			return null;
		}
		ConnectionFailure cause = ConnectionFailure.find(failure);
		if (cause == null) {
			return null;
		}
		ConnectionTarget target = ConnectionTarget.find(failure, this.environment, this.beanFactory);
		return new FailureAnalysis(description(cause, target), action(cause, target), cause.exception());
	}

	private static boolean isConfigurationFailure(Throwable failure) {
		for (Throwable cause = failure; cause != null && cause != cause.getCause(); cause = cause.getCause()) {
			if (cause instanceof InvalidDbPoolConfigurationException) {
				return true;
			}
		}
		return false;
	}

	private String description(ConnectionFailure failure, ConnectionTarget target) {
		String server = target.server();
		StringBuilder text = new StringBuilder("Could not connect to PostgreSQL");
		text.append((server != null) ? " at " + server : "").append(": ").append(reason(failure, target)).append(".");
		text.append("\n\n");
		line(text, "Host", target.hosts().isEmpty() ? "not known" : String.join(", ", target.hosts()));
		line(text, "Port", target.ports().isEmpty() ? "not known" : String.join(", ", target.ports()));
		line(text, "Database", (target.database() != null) ? target.database() : "not known");
		line(text, "User", ((target.user() != null) ? target.user() + ", from " : "not known: ") + target.userSource());
		line(text, "URL", (target.url() != null) ? target.url() + ", from " + target.urlSource()
				: "not known: " + target.urlSource());
		if (isAboutSsl(failure.kind()) && target.sslMode() != null) {
			line(text, "SSL mode", target.sslMode());
		}
		String meaning = STATES.get(failure.sqlState());
		line(text, "SQLState", failure.sqlState() + ((meaning != null) ? " (" + meaning + ")" : ""));
		Throwable network = failure.networkCause();
		line(text, "Message", failure.message() + ((network != null)
				? " (" + network.getClass().getSimpleName() + ": " + network.getMessage() + ")" : ""));
		return text.toString().stripTrailing();
	}

	private static void line(StringBuilder text, String label, String value) {
		text.append('\t').append(label).append(':').append(" ".repeat(Math.max(1, 9 - label.length()))).append(value);
		text.append('\n');
	}

	private static boolean isAboutSsl(ConnectionFailure.Kind kind) {
		return kind == ConnectionFailure.Kind.SSL_NOT_SUPPORTED || kind == ConnectionFailure.Kind.SSL_FAILED
				|| kind == ConnectionFailure.Kind.HBA_NEEDS_SSL || kind == ConnectionFailure.Kind.HBA_REFUSES_SSL;
	}

	private static String reason(ConnectionFailure failure, ConnectionTarget target) {
		String user = or(target.user(), "the user");
		String database = or(target.database(), "the database");
		return switch (failure.kind()) {
			case UNKNOWN_HOST -> "the host name " + unknownHost(failure, target) + " is unknown";
			case REFUSED -> "the connection was refused";
			case UNREACHABLE -> "the server did not answer in time, or cannot be reached";
			case SSL_NOT_SUPPORTED -> "the connection asks for SSL and the server does not support it";
			case SSL_FAILED -> "the SSL connection could not be set up";
			case NO_PASSWORD -> "the server asks " + user + " for a password and none was given";
			case PASSWORD_FAILED -> "password authentication failed for user " + user;
			case ROLE_MISSING -> "the role " + or(failure.missingRole(), user) + " does not exist";
			case ROLE_CANNOT_LOGIN -> "the role " + user + " is not permitted to log in";
			case HBA_NEEDS_SSL -> "the server accepts this client only over SSL (pg_hba.conf)";
			case HBA_REFUSES_SSL -> "the server accepts this client only without SSL (pg_hba.conf)";
			case HBA_NO_ENTRY -> "the server's pg_hba.conf has no entry for this client, user and database";
			case HBA_REJECTS -> "the server's pg_hba.conf rejects this client, user and database";
			case NOT_AUTHORIZED -> "the server did not let " + user + " in";
			case DATABASE_MISSING -> "the database " + database + " does not exist";
			case TOO_MANY_FOR_ROLE -> "the role " + user + " has reached its connection limit";
			case TOO_MANY_FOR_DATABASE -> "the database " + database + " has reached its connection limit";
			case TOO_MANY_ON_SERVER -> "the server has no connection slots left (max_connections)";
			case PGBOUNCER_EXTRA_FLOAT_DIGITS, PGBOUNCER_STARTUP_PARAMETER ->
				"PgBouncer refuses the start-up parameter "
						+ or(PgBouncerErrors.parameter(failure.message()), "the driver sent");
			case PGBOUNCER_CLIENT_LIMIT -> "PgBouncer accepts no more clients (max_client_conn)";
			case PGBOUNCER_STATEMENT_MODE -> "PgBouncer runs in statement pooling mode, which refuses transactions";
			case PGBOUNCER_NO_SUCH_DATABASE -> "PgBouncer has no database "
					+ or(PgBouncerErrors.database(failure.message()), database) + " in its [databases] section";
			case PGBOUNCER_SERVER_LOGIN_FAILING ->
				"PgBouncer cannot connect or log in to the PostgreSQL server behind it";
			case OTHER -> "SQLState " + failure.sqlState() + ", " + failure.message();
		};
	}

	private String action(ConnectionFailure failure, ConnectionTarget target) {
		String url = target.urlSource();
		String server = or(target.server(), "the server");
		String user = or(target.user(), "the user");
		String database = or(target.database(), "the database");
		String role = identifier(target.user(), "<role>");
		return switch (failure.kind()) {
			case UNKNOWN_HOST -> "Check the host name " + unknownHost(failure, target) + " in " + url
					+ ": is it spelled right, and can DNS (or /etc/hosts) resolve it where the application runs? "
					+ "In a container, use the database's service name on the container's network.";
			case REFUSED -> "Is the server running and listening on " + or(target.server(), refusedAddress(failure))
					+ "? Check the host and port in " + url
					+ ", that PostgreSQL is up, and that it listens on that address and port (listen_addresses and "
					+ "port in postgresql.conf, a container's published port).";
			case UNREACHABLE -> "Check that " + server + " can be reached from where the application runs: the host "
					+ "and port in " + url + ", and the network, firewalls or security groups between them. The "
					+ "driver's connectTimeout URL parameter bounds the wait.";
			case SSL_NOT_SUPPORTED -> "Turn SSL on in the server (ssl = on in postgresql.conf, with a certificate), "
					+ "or, where the connection need not be encrypted, set sslmode=prefer or sslmode=disable in the "
					+ "URL given by " + url + ".";
			case SSL_FAILED -> "Check the SSL settings in the URL given by " + url + ": with sslmode=verify-ca or "
					+ "verify-full the server's certificate must be signed by the certificate authority in "
					+ "sslrootcert (~/.postgresql/root.crt unless set) and, for verify-full, name the host; "
					+ "sslmode=require encrypts without verifying.";
			case NO_PASSWORD -> "Give " + user + " a password: it comes from " + target.passwordSource()
					+ ". Set spring.datasource.password (SPRING_DATASOURCE_PASSWORD), or the password in "
					+ "DATABASE_URL (postgres://user:password@host:port/database).";
			case PASSWORD_FAILED -> "Check the password of " + user + ", from " + target.passwordSource()
					+ (target.passwordGiven() ? "" : "; pgjdbc may have read one from ~/.pgpass (or PGPASSFILE)")
					+ ": it must be the role's password on the server (a superuser sets it with ALTER ROLE " + role
					+ " PASSWORD '…'). Check the user too, from " + target.userSource() + ".";
			case ROLE_MISSING -> "Create the role (CREATE ROLE "
					+ identifier((failure.missingRole() != null) ? failure.missingRole() : target.user(), "<role>")
					+ " LOGIN PASSWORD '…'), or fix the user, from " + target.userSource() + ".";
			case ROLE_CANNOT_LOGIN -> "Let the role log in (ALTER ROLE " + role
					+ " LOGIN), or connect as a role that may: the user comes from " + target.userSource() + ".";
			case HBA_NEEDS_SSL -> "Connect over SSL: set sslmode=require (or verify-full) in the URL given by " + url
					+ ". If the server does not offer SSL, its administrator must turn SSL on, or allow this client "
					+ "without it in pg_hba.conf.";
			case HBA_REFUSES_SSL -> "Ask the server's administrator to allow this client over SSL in pg_hba.conf "
					+ "(a hostssl or host entry), or, where the connection need not be encrypted, set sslmode=disable "
					+ "in the URL given by " + url + ".";
			case HBA_NO_ENTRY -> "Ask the server's administrator to allow this client's address, user " + user
					+ " and database " + database + " in pg_hba.conf (and reload the server), or connect as a user, "
					+ "to a database or from an address it allows.";
			case HBA_REJECTS -> "pg_hba.conf turns this client, user " + user + " and database " + database
					+ " away on purpose: connect as another user, to another database or from another address, or "
					+ "ask the server's administrator.";
			case NOT_AUTHORIZED ->
				"Check the user " + user + ", from " + target.userSource() + ", and what the server allows it.";
			case DATABASE_MISSING -> "Create the database (CREATE DATABASE "
					+ identifier(target.database(), "<database>") + "), or fix the database name in " + url + ".";
			case TOO_MANY_FOR_ROLE -> tooMany("the role's limit (ALTER ROLE " + role + " CONNECTION LIMIT …)");
			case TOO_MANY_FOR_DATABASE -> tooMany("the database's limit (ALTER DATABASE "
					+ identifier(target.database(), "<database>") + " CONNECTION LIMIT …)");
			case TOO_MANY_ON_SERVER ->
				tooMany("the server's max_connections (a restart), or put a pooler such as PgBouncer in front of it");
			case PGBOUNCER_EXTRA_FLOAT_DIGITS, PGBOUNCER_SERVER_LOGIN_FAILING -> fix(failure) + ".";
			case PGBOUNCER_NO_SUCH_DATABASE -> fix(failure) + " given by " + url + ".";
			case PGBOUNCER_STARTUP_PARAMETER -> startupParameter(failure, target);
			case PGBOUNCER_CLIENT_LIMIT -> fix(failure) + ". This application: " + connections() + ".";
			case PGBOUNCER_STATEMENT_MODE -> fix(failure) + ". Then set " + POOLER_MODE + " (DB_POOLER) to "
					+ "pgbouncer-transaction, or leave it to auto.";
			case OTHER -> "PostgreSQL's list of error codes explains SQLState " + failure.sqlState() + " ("
					+ ERROR_CODES + "). Check the server at " + server + " and the connection settings in " + url + ".";
		};
	}

	private String tooMany(String raise) {
		return "Lower the connections the application may open, max-connections × instances (" + connections()
				+ "), stop other clients that hold connections, or raise " + raise + ". " + BUDGET;
	}

	private String connections() {
		ConfiguredValue maxConnections = ConfiguredValue.find("app.db.pool.max-connections", this.environment);
		ConfiguredValue instances = ConfiguredValue.find("app.db.pool.instances", this.environment);
		return "max-connections: "
				+ ((maxConnections != null) ? maxConnections.describe() : "app.db.pool.max-connections, not set")
				+ "; instances: " + ((instances != null) ? instances.describe() : "app.db.pool.instances, not set");
	}

	private static String fix(ConnectionFailure failure) {
		String fix = PgBouncerErrors.fix(failure.kind(), failure.message());
		return Character.toUpperCase(fix.charAt(0)) + fix.substring(1);
	}

	// Where the refused parameter came from: db-pool's own options where it connects as
	// to PostgreSQL itself, else the URL or the driver properties.
	private String startupParameter(ConnectionFailure failure, ConnectionTarget target) {
		String parameter = PgBouncerErrors.parameter(failure.message());
		ConfiguredValue mode = ConfiguredValue.find(POOLER_MODE, this.environment);
		boolean direct = mode != null && mode.value().trim().equalsIgnoreCase("none");
		String connectsDirectly = direct ? "while " + mode.describe()
				: "when " + ((mode != null) ? mode.describe() : POOLER_MODE + ", not set, so auto,")
						+ " could not tell that PgBouncer is in between (see its line above)";
		String setMode = "set " + POOLER_MODE + " (DB_POOLER) to pgbouncer-session or pgbouncer-transaction, as "
				+ "PgBouncer's pool_mode is";
		if ("options".equals(parameter) && !target.urlHas(parameter)
				&& ConfiguredValue.find(DRIVER_PROPERTIES + parameter, this.environment) == null) {
			return "These options are db-pool's own server settings (statement_timeout, …), which it sends "
					+ "where it connects as to PostgreSQL itself: " + connectsDirectly + ". "
					+ Character.toUpperCase(setMode.charAt(0)) + setMode.substring(1) + ".";
		}
		String where = (parameter != null && target.urlHas(parameter))
				? "It is in the URL given by " + target.urlSource() + ". " : "";
		String own = direct ? " db-pool sends options of its own too " + connectsDirectly + ": " + setMode + "." : "";
		return where + fix(failure) + "." + own;
	}

	// The address pgjdbc names in "Connection to host:port refused", where the URL is not
	// known.
	private static String refusedAddress(ConnectionFailure failure) {
		Matcher matcher = REFUSED_ADDRESS.matcher(failure.message());
		return matcher.find() ? matcher.group(1) : "the host and port of the URL";
	}

	private static String unknownHost(ConnectionFailure failure, ConnectionTarget target) {
		if (target.hosts().size() == 1) {
			return target.hosts().get(0);
		}
		Throwable network = failure.networkCause();
		return (network != null && network.getMessage() != null) ? network.getMessage() : "of the URL";
	}

	// As PostgreSQL needs it in a statement: quoted unless plain lower case.
	private static String identifier(@Nullable String name, String placeholder) {
		if (name == null) {
			return placeholder;
		}
		return PLAIN_IDENTIFIER.matcher(name).matches() ? name : "\"" + name.replace("\"", "\"\"") + "\"";
	}

	private static String or(@Nullable String value, String fallback) {
		return (value != null) ? value : fallback;
	}

}
