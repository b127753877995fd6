package dev.dbpool.server;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the server showed of an application's sessions at one read of
 * {@code pg_stat_activity}: its sessions (those carrying the pool's
 * {@code application_name}, in the pool's database, db-pool's own side connection left
 * out) by state, their oldest transaction and longest-running query, those idle in a
 * transaction, and the server-wide number of client connections against
 * {@code max_connections}.
 * <p>
 * The server cannot tell two instances of an application apart when they share an
 * {@code application_name}: their sessions are counted together.
 *
 * @param sampledAt when the server was read
 * @param connections the application's sessions by state, for each of {@link #STATES}
 * @param oldestTransaction age of the oldest open transaction among them, 0 if none
 * @param longestQuery time the longest-running query among them (state {@value #ACTIVE})
 * has run, 0 if none
 * @param idleInTransaction the sessions idle in a transaction (aborted or not), the
 * longest idle first
 * @param total client connections on the whole server, db-pool's side connection included
 * @param maxConnections the server's {@code max_connections}
 * @author db-pool
 * @since 0.3.0
 */
public record ServerActivity(Instant sampledAt, Map<String, Integer> connections, Duration oldestTransaction,
		Duration longestQuery, List<IdleSession> idleInTransaction, int total, int maxConnections) {

	/** State of a session running a statement. */
	public static final String ACTIVE = "active";

	/** State of a session waiting for a statement, outside a transaction. */
	public static final String IDLE = "idle";

	/** State of a session waiting for a statement inside a transaction. */
	public static final String IDLE_IN_TRANSACTION = "idle in transaction";

	/**
	 * State of a session waiting for a statement inside a transaction in which a
	 * statement failed: it can only be rolled back.
	 */
	public static final String IDLE_IN_TRANSACTION_ABORTED = "idle in transaction (aborted)";

	/** The states counted, as PostgreSQL names them in {@code pg_stat_activity}. */
	public static final List<String> STATES = List.of(ACTIVE, IDLE, IDLE_IN_TRANSACTION, IDLE_IN_TRANSACTION_ABORTED);

	/**
	 * Create a snapshot.
	 * @param sampledAt when the server was read
	 * @param connections the sessions by state
	 * @param oldestTransaction age of the oldest open transaction
	 * @param longestQuery time the longest-running query has run
	 * @param idleInTransaction the sessions idle in a transaction, longest idle first
	 * @param total client connections on the whole server
	 * @param maxConnections the server's {@code max_connections}
	 */
	public ServerActivity {
		connections = Map.copyOf(connections);
		idleInTransaction = List.copyOf(idleInTransaction);
	}

	/**
	 * Return how many of the application's sessions are in a state.
	 * @param state one of {@link #STATES}
	 * @return the number, 0 for a state not counted
	 */
	public int connections(String state) {
		return this.connections.getOrDefault(state, 0);
	}

	/**
	 * Return how long the longest-idle session has been idle in a transaction.
	 * @return the time since its last statement ended, 0 if none is
	 */
	public Duration longestIdleInTransaction() {
		return this.idleInTransaction.isEmpty() ? Duration.ZERO : this.idleInTransaction.get(0).idleFor();
	}

	/**
	 * A session idle in a transaction.
	 *
	 * @param pid its server process
	 * @param idleFor time since its last statement ended
	 */
	public record IdleSession(int pid, Duration idleFor) {

	}

}
