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
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;

/**
 * Works out, over connections beside the pool, whether a pooler sits between the pool and
 * PostgreSQL and in which mode it runs, for {@code app.db.pool.pooler.mode=auto}.
 * <p>
 * A pooler answers the client's start-up with a cancel key of its own, so the process id
 * the driver was given differs from the server's {@code pg_backend_pid()}; straight to
 * the server, they are equal. Behind a pooler, PgBouncer's admin console, where
 * {@code app.db.pool.pooler.admin-url} gives it, says the mode. Without it the
 * connections can only prove transaction mode: one connection notes its server process,
 * then another opens a transaction and the first asks again; when a server process goes
 * from one client to another, the pooler runs in transaction mode (PgBouncer hands out
 * the session released last). When none does, that looks like session mode, but a pooler
 * in transaction mode that other clients keep busy can look the same, and taking it for
 * session mode would let prepared statements collide and settings leak between clients;
 * so transaction mode's rules apply, which hold in session mode too, and the detection
 * says that the mode is not proven. In statement mode the transaction is refused, which
 * stops start-up: a JDBC pool needs transactions.
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
	 * @param console PgBouncer's admin console, or {@code null} where none is given
	 * @return what was found
	 */
	public static PoolerDetection detect(SideConnections connections, @Nullable PgBouncerConsole console) {
		try (Connection first = connections.open(PURPOSE)) {
			int given = first.unwrap(PGConnection.class).getBackendPID();
			int server = serverPid(first);
			if (given == server) {
				return new PoolerDetection(PoolerMode.NONE,
						"the server's process id is the one the connection was given (" + server + ")", true);
			}
			String unread = "";
			if (console != null) {
				// While the probe is connected, so that the console lists its pool.
				try {
					return fromConsole(console.poolMode());
				}
				catch (SQLException ex) {
					unread = "; PgBouncer's console could not be read (" + SqlFailures.describe(ex) + ")";
				}
			}
			try (Connection other = connections.open(PURPOSE)) {
				PoolerDetection found = mode(first, server, other);
				return new PoolerDetection(found.mode(), found.evidence() + unread, found.proven());
			}
		}
		catch (SQLException ex) {
			if (SqlFailures.isPgBouncerRefusal(ex)) {
				// PgBouncer is there; transaction mode's rules hold in session mode too.
				return new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION,
						"PgBouncer refused the probe (" + SqlFailures.describe(ex) + ")", false);
			}
			return new PoolerDetection(null, "the server could not be asked (" + SqlFailures.describe(ex) + ")", false);
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
		return new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION,
				"the pooler's cancel key differs from the server's process id; a connection kept server process "
						+ firstServer + " while another ran " + ROUNDS
						+ " transactions on others, as in session mode, but a pooler in transaction mode that other "
						+ "clients keep busy can look the same",
				false);
	}

	private static PoolerDetection transactionMode(String evidence) {
		return new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION,
				"the pooler's cancel key differs from the server's process id, and " + evidence, true);
	}

	private static PoolerDetection fromConsole(String poolMode) {
		String evidence = "PgBouncer's admin console says pool_mode " + poolMode;
		return switch (poolMode) {
			case "session" -> new PoolerDetection(PoolerMode.PGBOUNCER_SESSION, evidence, true);
			case "transaction" -> new PoolerDetection(PoolerMode.PGBOUNCER_TRANSACTION, evidence, true);
			default -> throw statementMode(evidence);
		};
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
