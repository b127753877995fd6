package dev.dbpool.settings;

/**
 * What db-pool does at start-up when this fleet's connections (instances ×
 * max-connections) are more than the server, the role or the database allows.
 *
 * @author db-pool
 * @since 0.3.0
 */
public enum BudgetMode {

	/**
	 * Log one WARN line with the numbers and the largest safe max-connections.
	 */
	WARN,

	/**
	 * Stop start-up, naming the numbers and the fix.
	 */
	FAIL,

	/**
	 * Lower max-connections (and min-connections, where needed) to the safe share, and
	 * say so.
	 */
	CLAMP,

	/**
	 * Do not check.
	 */
	OFF

}
