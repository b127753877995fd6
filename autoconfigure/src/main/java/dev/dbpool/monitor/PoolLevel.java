package dev.dbpool.monitor;

import java.util.Locale;

/**
 * How busy a pool is, by the share of its connections in use.
 *
 * @author db-pool
 * @since 0.2.0
 * @see MonitorSettings#levelOf(double)
 */
public enum PoolLevel {

	/** Below the warning utilization. */
	OK,

	/** At or above the warning utilization. */
	WARNING,

	/** At or above the critical utilization. */
	CRITICAL;

	/**
	 * Return the level as shown in health details: {@code ok}, {@code warning} or
	 * {@code critical}.
	 * @return the name in lower case
	 */
	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
