package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import dev.dbpool.testsupport.TestDatabase;

/**
 * What the PostgreSQL server sees of a pool: a pooled connection's settings as the server
 * reports them, and the server's sessions, looked at over a superuser connection outside
 * any pool.
 */
final class ServerSide {

	// Per run, so that a test never counts sessions a previous run left closing on the
	// server.
	private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

	private ServerSide() {
	}

	/**
	 * Return a name no other test (nor another run) gives its connections.
	 * @param test what the test is about, e.g. {@code it-appname}
	 * @return the name, well under the 63 characters PostgreSQL keeps
	 */
	static String uniqueName(String test) {
		return test + "-" + RUN;
	}

	/**
	 * Return a setting as the server reports it on a connection ({@code SHOW}).
	 * @param connection the connection
	 * @param setting the setting's name
	 * @return the value, e.g. {@code 1500ms}
	 * @throws SQLException if the server refuses
	 */
	static String show(Connection connection, String setting) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SHOW " + setting)) {
			result.next();
			return result.getString(1);
		}
	}

	/**
	 * Return the server process serving a connection.
	 * @param connection the connection
	 * @return its {@code pg_backend_pid()}
	 * @throws SQLException if the server refuses
	 */
	static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

	/**
	 * Return the {@code application_name} the server shows for a session, from outside
	 * it.
	 * @param pid the session's server process
	 * @return the name, or {@code null} if there is no such session in the tests'
	 * database
	 * @throws SQLException if the server refuses
	 */
	static String applicationNameOf(int pid) throws SQLException {
		try (Connection observer = TestDatabase.get().connect();
				PreparedStatement statement = observer
					.prepareStatement("SELECT application_name FROM pg_stat_activity WHERE pid = ? AND datname = ?")) {
			statement.setInt(1, pid);
			statement.setString(2, TestDatabase.DATABASE);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getString(1) : null;
			}
		}
	}

	/**
	 * Create a login role, or reset its password if it exists: idempotent, and harmless
	 * to a session of the role still closing from an earlier run.
	 * @param role the role name
	 * @param password its password
	 * @throws SQLException if the server refuses
	 */
	static void ensureLoginRole(String role, String password) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("""
					DO $$
					BEGIN
						IF EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN
							ALTER ROLE %1$s LOGIN PASSWORD '%2$s';
						ELSE
							CREATE ROLE %1$s LOGIN PASSWORD '%2$s';
						END IF;
					END
					$$""".formatted(role, password));
		}
	}

	/**
	 * Create a login role with a connection limit, or reset it.
	 * @param role the role name
	 * @param password its password
	 * @param limit its {@code CONNECTION LIMIT}
	 * @throws SQLException if the server refuses
	 */
	static void ensureLoginRole(String role, String password, int limit) throws SQLException {
		ensureLoginRole(role, password);
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("ALTER ROLE " + role + " CONNECTION LIMIT " + limit);
		}
	}

	/**
	 * Drop a role of this run once its pool is closed; should a session of it still be
	 * ending, it stays, harmless.
	 * @param role the role name
	 */
	static void dropRoleQuietly(String role) {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("DROP ROLE IF EXISTS " + role);
		}
		catch (SQLException ex) {
			// left for the server's owner
		}
	}

}
