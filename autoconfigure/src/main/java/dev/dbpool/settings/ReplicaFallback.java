package dev.dbpool.settings;

/**
 * Where read-only work goes while the read replica cannot take it: it is unreachable, its
 * connections are failing, or it lags more than {@code app.db.pool.replicas.max-lag}.
 *
 * @author db-pool
 * @since 0.7.0
 */
public enum ReplicaFallback {

	/**
	 * To the primary, on a connection set read only for the work, until the replica can
	 * take it again.
	 */
	PRIMARY,

	/**
	 * Nowhere: the work fails at once with a {@code ReplicaUnavailableException}, which a
	 * Spring MVC application answers with 503 Service Unavailable.
	 */
	FAIL

}
