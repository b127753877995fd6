package dev.dbpool.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What the server shows of a test's sessions: {@code pg_stat_activity} rows in the tests'
 * database that carry an {@code application_name}, counted over a connection of its own.
 */
public final class ServerSessions {

	private ServerSessions() {
	}

	/**
	 * Count the sessions in the tests' database that carry an {@code application_name}.
	 * @param applicationName the name
	 * @return how many {@code pg_stat_activity} shows
	 * @throws SQLException if the server refuses
	 */
	public static int named(String applicationName) throws SQLException {
		return named(applicationName, null);
	}

	/**
	 * Count the sessions in the tests' database that carry an {@code application_name}
	 * and whose last statement was a given one.
	 * @param applicationName the name
	 * @param lastQuery the statement, as {@code pg_stat_activity.query} shows it, or
	 * {@code null} for any
	 * @return how many {@code pg_stat_activity} shows
	 * @throws SQLException if the server refuses
	 */
	public static int named(String applicationName, @Nullable String lastQuery) throws SQLException {
		String sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND datname = ?"
				+ ((lastQuery != null) ? " AND query = ?" : "");
		try (Connection observer = TestDatabase.get().connect();
				PreparedStatement statement = observer.prepareStatement(sql)) {
			statement.setString(1, applicationName);
			statement.setString(2, TestDatabase.DATABASE);
			if (lastQuery != null) {
				statement.setString(3, lastQuery);
			}
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	/**
	 * Wait, at most a bounded time, until at least a number of sessions carry an
	 * {@code application_name}.
	 * @param applicationName the name
	 * @param expected how many to wait for
	 * @param atMost how long to wait at most
	 * @return the last count seen: at least {@code expected} unless the time ran out
	 * @throws Exception if the server refuses or the wait is interrupted
	 */
	public static int awaitAtLeast(String applicationName, int expected, Duration atMost) throws Exception {
		long deadline = System.nanoTime() + atMost.toNanos();
		int count = named(applicationName);
		while (count < expected && System.nanoTime() < deadline) {
			Thread.sleep(100);
			count = named(applicationName);
		}
		return count;
	}

	/**
	 * Wait, at most a bounded time, until no session carries an {@code application_name}:
	 * the server ends a closed connection's backend a moment after the client has gone.
	 * @param applicationName the name
	 * @param atMost how long to wait at most
	 * @return the last count seen: 0 unless the time ran out
	 * @throws Exception if the server refuses or the wait is interrupted
	 */
	public static int awaitNone(String applicationName, Duration atMost) throws Exception {
		long deadline = System.nanoTime() + atMost.toNanos();
		int count = named(applicationName);
		while (count > 0 && System.nanoTime() < deadline) {
			Thread.sleep(50);
			count = named(applicationName);
		}
		return count;
	}

}
