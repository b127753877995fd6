package dev.dbpool.budget;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

import dev.dbpool.guard.SideConnections;

/**
 * Reads {@link ServerLimits} over a side connection of the pool's, opened as the pool
 * opens its own (so within its connect timeout) and closed at once.
 * <p>
 * Others' connections are the rows of {@code pg_stat_activity} other than this one and
 * those carrying the pool's {@code application_name}. A role without
 * {@code pg_read_all_stats} sees every row but not the {@code backend_type} of other
 * roles' sessions: there, a row with a database and a user counts as a client, which
 * counts the parallel workers of others' queries too, so the budget errs on the safe
 * side.
 *
 * @author db-pool
 */
final class ServerLimitsReader {

	/** What a side connection for the budget is called. */
	static final String PURPOSE = "budget";

	private static final String SQL = """
			WITH others AS (
				SELECT usesysid, datid FROM pg_stat_activity
				WHERE pid <> pg_backend_pid() AND application_name IS DISTINCT FROM ?
					AND (backend_type = 'client backend'
						OR (backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL))
			)
			SELECT current_setting('max_connections')::int,
				current_setting('superuser_reserved_connections')::int,
				NULLIF(current_setting('reserved_connections', true), '')::int,
				r.rolname, r.rolsuper, r.rolconnlimit, d.datname, d.datconnlimit,
				(SELECT count(*) FROM others),
				(SELECT count(*) FROM others WHERE usesysid = r.oid),
				(SELECT count(*) FROM others WHERE datid = d.oid)
			FROM pg_roles r, pg_database d
			WHERE r.rolname = session_user AND d.datname = current_database()""";

	private ServerLimitsReader() {
	}

	/**
	 * Read the limits the pool's server sets it.
	 * @param side opens the side connection
	 * @param own the {@code application_name} of the pool's connections, empty if none
	 * @return the limits
	 * @throws SQLException if the side connection cannot be opened or the server refuses
	 */
	static ServerLimits read(SideConnections side, String own) throws SQLException {
		try (Connection connection = side.open(PURPOSE);
				PreparedStatement statement = connection.prepareStatement(SQL)) {
			if (own.isEmpty()) {
				// Nothing marks the fleet's connections: count every other one.
				statement.setNull(1, Types.VARCHAR);
			}
			else {
				statement.setString(1, own);
			}
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					throw new SQLException("the server shows neither the session's role nor its database");
				}
				int reserved = result.getInt(3);
				Integer reservedConnections = result.wasNull() ? null : reserved;
				return new ServerLimits(result.getInt(1), result.getInt(2), reservedConnections, result.getString(4),
						result.getBoolean(5), result.getInt(6), result.getString(7), result.getInt(8), result.getInt(9),
						result.getInt(10), result.getInt(11));
			}
		}
	}

}
