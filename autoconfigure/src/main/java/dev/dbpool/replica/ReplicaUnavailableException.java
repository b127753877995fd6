package dev.dbpool.replica;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown instead of handing over a connection for read-only work while the read replica
 * cannot take it (unreachable, its connections failing, or lagging past
 * {@code app.db.pool.replicas.max-lag}) and {@code app.db.pool.replicas.fallback} is
 * {@code fail}. A transient failure: a Spring MVC application answers it with 503 Service
 * Unavailable, and a retry may succeed once the replica is back.
 *
 * @author db-pool
 * @since 0.7.0
 */
public class ReplicaUnavailableException extends SQLTransientConnectionException {

	/** The SQLState: {@code 08001}, the client could not get a connection. */
	public static final String SQL_STATE = "08001";

	private final String pool;

	/**
	 * Create an exception.
	 * @param pool the replica's pool
	 * @param reason why the replica cannot take the work
	 */
	public ReplicaUnavailableException(String pool, String reason) {
		super("db-pool: read replica pool '" + pool + "' cannot take read-only work (" + reason
				+ ") and app.db.pool.replicas.fallback is fail", SQL_STATE);
		this.pool = pool;
	}

	/**
	 * Return the name of the replica's pool.
	 * @return the pool's name
	 */
	public String getPool() {
		return this.pool;
	}

}
