package dev.dbpool.pooler;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import dev.dbpool.diagnostics.Durations;
import org.jspecify.annotations.Nullable;

/**
 * One row of PgBouncer's {@code SHOW POOLS}: PgBouncer's pool for one database and user,
 * whose clients are the connections of db-pool's pool (and of any other client of that
 * database and user).
 *
 * @param clientsActive {@code cl_active}: clients linked to a server connection or idle
 * @param clientsWaiting {@code cl_waiting}: clients that sent a query and wait for a
 * server connection
 * @param serversActive {@code sv_active}: server connections linked to a client
 * @param serversIdle {@code sv_idle}: server connections unused and ready
 * @param serversUsed {@code sv_used}: server connections idle long enough to need a check
 * before reuse
 * @param maxWait {@code maxwait} and {@code maxwait_us}: how long the oldest waiting
 * client has waited
 * @param poolMode {@code pool_mode}: session, transaction or statement
 * @author db-pool
 */
record PgBouncerPool(int clientsActive, int clientsWaiting, int serversActive, int serversIdle, int serversUsed,
		Duration maxWait, String poolMode) {

	/** Detail, in the {@code pooler} block: {@code cl_active}. */
	static final String CLIENTS_ACTIVE = "clientsActive";

	/** Detail, in the {@code pooler} block: {@code cl_waiting}. */
	static final String CLIENTS_WAITING = "clientsWaiting";

	/** Detail, in the {@code pooler} block: {@code sv_active}. */
	static final String SERVERS_ACTIVE = "serversActive";

	/** Detail, in the {@code pooler} block: {@code sv_idle}. */
	static final String SERVERS_IDLE = "serversIdle";

	/** Detail, in the {@code pooler} block: {@code sv_used}. */
	static final String SERVERS_USED = "serversUsed";

	/** Detail, in the {@code pooler} block: {@code maxwait}, as a duration. */
	static final String MAX_WAIT = "maxWait";

	/** Detail, in the {@code pooler} block: {@code pool_mode}. */
	static final String POOL_MODE = "poolMode";

	/**
	 * Read a row as the console sends it, every value as text.
	 * @param row the row, by column name
	 * @return the pool
	 * @throws SQLException if a count is not a number
	 */
	static PgBouncerPool of(Map<String, @Nullable String> row) throws SQLException {
		return new PgBouncerPool(number(row, "cl_active"), number(row, "cl_waiting"), number(row, "sv_active"),
				number(row, "sv_idle"), number(row, "sv_used"),
				Duration.ofSeconds(number(row, "maxwait")).plusNanos(number(row, "maxwait_us") * 1000L),
				String.valueOf(row.get("pool_mode")));
	}

	private static int number(Map<String, @Nullable String> row, String column) throws SQLException {
		String value = row.get(column);
		try {
			return Integer.parseInt(String.valueOf(value).trim());
		}
		catch (NumberFormatException ex) {
			throw new SQLException("SHOW POOLS gives " + column + " = " + value + ", not a number", "08P01");
		}
	}

	void putDetails(Map<String, Object> details) {
		details.put(CLIENTS_ACTIVE, this.clientsActive);
		details.put(CLIENTS_WAITING, this.clientsWaiting);
		details.put(SERVERS_ACTIVE, this.serversActive);
		details.put(SERVERS_IDLE, this.serversIdle);
		details.put(SERVERS_USED, this.serversUsed);
		details.put(MAX_WAIT, Durations.format(this.maxWait));
		details.put(POOL_MODE, this.poolMode);
	}

}
