package dev.dbpool.settings;

/**
 * What db-pool does at start-up when, behind a pooler in transaction mode, the server
 * does not apply the timeouts db-pool is configured with (db-pool cannot set them there
 * without leaking them to other clients; the role's own settings must).
 *
 * @author db-pool
 * @since 0.5.0
 */
public enum TimeoutCheck {

	/**
	 * Log one WARN line naming each timeout that differs and the statement that fixes it.
	 */
	WARN,

	/**
	 * Stop start-up, naming each timeout that differs and the statement that fixes it.
	 */
	FAIL,

	/**
	 * Do not check.
	 */
	OFF

}
