package dev.dbpool.pooler;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PostgresStartupOptions;
import dev.dbpool.settings.TimeoutCheck;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.core.Utils;

/**
 * Checks, at start-up, that behind a pooler in transaction mode the server applies the
 * timeouts db-pool is configured with. There db-pool sets no session setting (it would
 * stay on a server session other clients share, and would not follow this pool's next
 * transaction), so the role's own settings must hold them: it reads what a statement
 * through the pooler gets, and where a timeout differs it logs (or, in mode
 * {@link TimeoutCheck#FAIL fail}, stops start-up with) the {@code ALTER ROLE} statements
 * that fix it.
 *
 * @author db-pool
 * @since 0.5.0
 */
public final class RoleTimeoutsCheck {

	/** What the connection is for, in its {@code application_name}. */
	public static final String PURPOSE = "timeouts";

	private static final Log logger = LogFactory.getLog(RoleTimeoutsCheck.class);

	private static final String QUERY = "SELECT current_setting('statement_timeout'), "
			+ "current_setting('idle_in_transaction_session_timeout'), current_setting('lock_timeout'), "
			+ "current_user, current_database()";

	private RoleTimeoutsCheck() {
	}

	/**
	 * Check the timeouts.
	 * @param settings the pool's settings
	 * @param connections opens a connection through the pooler
	 * @return what the check found, for the pool's health details
	 * @throws InvalidDbPoolConfigurationException if a timeout differs in mode fail
	 */
	public static String check(PoolSettings settings, SideConnections connections) {
		TimeoutCheck mode = settings.pooler().timeoutCheck();
		if (mode == TimeoutCheck.OFF) {
			return "not checked (" + PoolSettings.TIMEOUT_CHECK + " off)";
		}
		List<String> differences = new ArrayList<>();
		List<String> statements = new ArrayList<>();
		try (Connection connection = connections.open(PURPOSE);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(QUERY)) {
			result.next();
			String role = Utils.escapeIdentifier(null, result.getString(4)).toString();
			String database = Utils.escapeIdentifier(null, result.getString(5)).toString();
			compare("statement_timeout", "statement-timeout", settings.statementTimeout(), result.getString(1),
					settings, role, database, differences, statements);
			compare("idle_in_transaction_session_timeout", "idle-in-transaction-timeout",
					settings.idleInTransactionTimeout(), result.getString(2), settings, role, database, differences,
					statements);
			compare("lock_timeout", "lock-timeout", settings.lockTimeout(), result.getString(3), settings, role,
					database, differences, statements);
		}
		catch (SQLException ex) {
			logger.warn("db-pool: pool '" + settings.poolName() + "': could not check the server's timeouts through "
					+ "the pooler (" + SqlFailures.describe(ex) + ")");
			return "not checked: " + SqlFailures.describe(ex);
		}
		if (differences.isEmpty()) {
			return "held by the role's settings";
		}
		String description = "Pool '" + settings.poolName() + "' connects through PgBouncer in transaction mode, "
				+ "where db-pool cannot set session settings without leaking them to other clients, and the server "
				+ "does not apply its timeouts: " + String.join("; ", differences) + ".";
		String action = "Give the role the timeouts (as a superuser, or as the role itself): "
				+ String.join(" ", statements)
				+ " Then let PgBouncer open new server sessions (RECONNECT in its console, or wait for "
				+ "server_lifetime). Or set " + PoolSettings.TIMEOUT_CHECK + " to off to accept the server's values.";
		if (mode == TimeoutCheck.FAIL) {
			throw new InvalidDbPoolConfigurationException(description, action);
		}
		logger.warn("db-pool: " + description + " " + action);
		return "differ: " + String.join("; ", differences);
	}

	private static void compare(String name, String setting, @Nullable Duration configured, String shown,
			PoolSettings settings, String role, String database, List<String> differences, List<String> statements) {
		if (configured == null) {
			return;
		}
		Duration actual = PostgresStartupOptions.parseTime(shown);
		if (configured.equals(actual)) {
			return;
		}
		ConfiguredValue where = settings.source("app.db.pool." + setting);
		differences.add(name + " is " + shown + ", configured " + Durations.format(configured) + " by " + where.name()
				+ " (" + where.source() + ")");
		statements.add("ALTER ROLE " + role + " IN DATABASE " + database + " SET " + name + " = '"
				+ serverTime(configured) + "';");
	}

	// As PostgreSQL reads a time, in the largest unit that keeps it whole.
	private static String serverTime(Duration duration) {
		long millis = duration.toMillis();
		if (millis != 0 && millis % 60_000 == 0) {
			return (millis / 60_000) + "min";
		}
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

}
