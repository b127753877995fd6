package dev.dbpool.sample;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.TestDatabase;

/**
 * A real PgBouncer ({@link PgBouncer}) in front of the test database for the sample app,
 * which is pointed at it by its URL (and, in transaction mode, a user) alone, and what
 * its admin console shows of the app's client connections.
 */
final class SamplePgBouncer {

	/**
	 * The role the app logs in as in transaction mode, whose own settings in the tests'
	 * database hold the timeouts the sample configures, since there db-pool sets none.
	 */
	static final String TRANSACTION_ROLE = "dbpool_sample_tx";

	// What the sample's application.yml configures: statement-timeout at its default,
	// idle-in-transaction-timeout 5m, no lock-timeout.
	private static final String STATEMENT_TIMEOUT = "30s";

	private static final String IDLE_IN_TRANSACTION_TIMEOUT = "5min";

	private SamplePgBouncer() {
	}

	/**
	 * Start a PgBouncer in session mode, for the sample's own user.
	 * @return the PgBouncer
	 */
	static PgBouncer session() {
		return PgBouncer.start("session");
	}

	/**
	 * Start a PgBouncer in transaction mode, for {@link #TRANSACTION_ROLE}, created (or
	 * reset) with the sample's timeouts.
	 * @return the PgBouncer
	 * @throws SQLException if the role cannot be set up
	 */
	static PgBouncer transaction() throws SQLException {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			// A superuser, as the sample's own user is: its schema.sql creates an index
			// IF NOT EXISTS, which only the table's owner may, on tables another run's
			// app may have created.
			statement.execute("""
					DO $$
					BEGIN
						IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN
							CREATE ROLE %1$s LOGIN SUPERUSER;
						END IF;
					END
					$$""".formatted(TRANSACTION_ROLE));
			String scope = "ALTER ROLE " + TRANSACTION_ROLE + " IN DATABASE " + TestDatabase.DATABASE;
			statement.execute(scope + " RESET ALL");
			statement.execute(scope + " SET statement_timeout = '" + STATEMENT_TIMEOUT + "'");
			statement
				.execute(scope + " SET idle_in_transaction_session_timeout = '" + IDLE_IN_TRANSACTION_TIMEOUT + "'");
		}
		return PgBouncer.configure().poolMode("transaction").users(TRANSACTION_ROLE).start();
	}

	/**
	 * Run a command of PgBouncer's admin console, e.g. {@code KILL dbpool_test}.
	 * @param pgBouncer the PgBouncer
	 * @param command the command
	 * @throws SQLException if PgBouncer refuses it
	 */
	static void console(PgBouncer pgBouncer, String command) throws SQLException {
		try (Connection admin = pgBouncer.adminConnection(); Statement statement = admin.createStatement()) {
			statement.execute(command);
		}
	}

	/**
	 * Count the client connections to the tests' database that PgBouncer holds
	 * ({@code SHOW CLIENTS}) of an application: its pool's, and its side connections.
	 * @param pgBouncer the PgBouncer
	 * @param applicationName the {@code application_name} they start with
	 * @return how many there are
	 * @throws SQLException if the console cannot be read
	 */
	static int clients(PgBouncer pgBouncer, String applicationName) throws SQLException {
		int count = 0;
		try (Connection admin = pgBouncer.adminConnection();
				Statement statement = admin.createStatement();
				ResultSet clients = statement.executeQuery("SHOW CLIENTS")) {
			while (clients.next()) {
				if (TestDatabase.DATABASE.equals(clients.getString("database"))
						&& String.valueOf(clients.getString("application_name")).startsWith(applicationName)) {
					count++;
				}
			}
		}
		return count;
	}

	/**
	 * Return the server process running a statement of PgBouncer's clients that calls
	 * {@code pg_sleep}, from the backends PgBouncer holds ({@code SHOW SERVERS}), or 0
	 * while there is none.
	 * @param pgBouncer the PgBouncer
	 * @return the backend's pid, or 0
	 * @throws SQLException if the console or the server cannot be read
	 */
	static int sleepingServer(PgBouncer pgBouncer) throws SQLException {
		List<String> pids = new ArrayList<>();
		try (Connection admin = pgBouncer.adminConnection();
				Statement statement = admin.createStatement();
				ResultSet servers = statement.executeQuery("SHOW SERVERS")) {
			while (servers.next()) {
				pids.add(Integer.toString(servers.getInt("remote_pid")));
			}
		}
		if (pids.isEmpty()) {
			return 0;
		}
		try (Connection observer = TestDatabase.get().connect();
				Statement statement = observer.createStatement();
				ResultSet result = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE state = 'active'"
						+ " AND query LIKE '%pg_sleep%' AND pid IN (" + String.join(",", pids) + ")")) {
			return result.next() ? result.getInt(1) : 0;
		}
	}

}
