package dev.dbpool.pooler;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolerMode;
import org.postgresql.PGConnection;

/**
 * Works out, over two connections beside the pool, whether a pooler sits between the pool
 * and PostgreSQL and in which mode it runs, for {@code app.db.pool.pooler.mode=auto}.
 * <p>
 * A pooler answers the client's start-up with a cancel key of its own, so the process id
 * the driver was given differs from the server's {@code pg_backend_pid()}; straight to
 * the server, they are equal. Behind a pooler, one connection notes its server process,
 * then another opens a transaction (holding a server session) and the first asks again,
 * three times: in session mode the first connection keeps its server process and the
 * other never gets it; in transaction mode a server session goes to whichever client
 * needs one, so the other gets the first's process (PgBouncer hands out the session
 * released last) or the first moves to another. In statement mode the transaction is
 * refused, which stops start-up: a JDBC pool needs transactions.
 * <p>
 * Each probe connection is bounded by the driver's socket timeout, so that a pooler
 * without a free server session cannot hold start-up; when it cannot tell, it says why.
 *
 * @author db-pool
 * @since 0.5.0
 */
public final class PoolerDetector {

	/** What the probe connections are for, in their {@code application_name}. */
	public static final String PURPOSE = "pooler";

	private static final int ROUNDS = 3;

	private PoolerDetector() {
	}

	/**
	 * Find the pooler, if any, and its mode.
	 * @param connections opens the probe connections, with no start-up options and no
	 * server-side prepared statements
	 * @return what was found
	 */
	public static PoolerDetection detect(SideConnections connections) {
		try (Connection first = connections.open(PURPOSE)) {
			int given = first.unwrap(PGConnection.class).getBackendPID();
			int server = serverPid(first);
			if (given == server) {
				return new PoolerDetection(PoolerMode.NONE,
						"the server's process id is the one the connection was given (" + server + ")");
			}
			try (Connection other = connections.open(PURPOSE)) {
				return mode(first, server, other);
			}
		}
		catch (SQLException ex) {
			if (SqlFailures.isPgBouncerRefusal(ex)) {
				// PgBouncer is there; transaction mode's rules hold in session mode too.
				return new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION,
						"PgBouncer refused the probe (" + SqlFailures.describe(ex)
								+ "), so its mode is not known: transaction mode's rules apply, "
								+ "which hold in session mode too");
			}
			return new PoolerDetection(null, "the server could not be asked (" + SqlFailures.describe(ex) + ")");
		}
	}

	private static PoolerDetection mode(Connection first, int firstServer, Connection other) throws SQLException {
		for (int round = 1; round <= ROUNDS; round++) {
			other.setAutoCommit(false);
			try {
				int otherServer = serverPid(other);
				// Within a transaction the server session stays, but in statement mode.
				if (serverPid(other) != otherServer) {
					throw statementMode("a transaction's statements ran on two server processes");
				}
				if (otherServer == firstServer) {
					return transactionMode(
							"another connection's transaction ran on this connection's server process " + firstServer);
				}
				int again = serverPid(first);
				if (again != firstServer) {
					return transactionMode(
							"one connection's statements ran on server processes " + firstServer + " and " + again);
				}
				other.rollback();
				other.setAutoCommit(true);
			}
			catch (SQLException ex) {
				if (ex.getMessage() != null && ex.getMessage().contains("statement pool")) {
					throw statementMode(SqlFailures.describe(ex));
				}
				throw ex;
			}
		}
		return new PoolerDetection(PoolerMode.PGBOUNCER_SESSION,
				"the pooler's cancel key differs from the server's process id, and a connection kept server process "
						+ firstServer + " while another ran " + ROUNDS + " transactions on others");
	}

	private static PoolerDetection transactionMode(String evidence) {
		return new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION,
				"the pooler's cancel key differs from the server's process id, and " + evidence);
	}

	private static InvalidDbPoolConfigurationException statementMode(String evidence) {
		return new InvalidDbPoolConfigurationException(
				"The connection pooler in front of PostgreSQL runs in statement mode (" + evidence
						+ "): it refuses transactions, which a JDBC pool and Spring's @Transactional need.",
				"Run the pooler in transaction mode (PgBouncer: pool_mode = transaction, for this database or user), "
						+ "then set " + PoolSettings.POOLER + " (DB_POOLER) to "
						+ PoolerMode.PGBOUNCER_TRANSACTION.externalName() + " or leave it to auto.");
	}

	private static int serverPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

}
