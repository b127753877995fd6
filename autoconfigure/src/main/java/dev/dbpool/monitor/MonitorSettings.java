package dev.dbpool.monitor;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How a {@link PoolMonitor} samples and judges the pools.
 *
 * @param interval time between two samples of each pool
 * @param warnUtilization share of max-connections in use from which the level is
 * {@link PoolLevel#WARNING warning}, from 0 (excluded) to 1
 * @param criticalUtilization share of max-connections in use from which the level is
 * {@link PoolLevel#CRITICAL critical} and, with threads waiting, the pool is saturated;
 * from {@code warnUtilization} to 1
 * @param historySize number of recent samples kept per pool
 * @author db-pool
 * @since 0.2.0
 */
public record MonitorSettings(Duration interval, double warnUtilization, double criticalUtilization, int historySize) {

	/**
	 * Create settings, checking they make sense.
	 * @param interval time between two samples of each pool, positive
	 * @param warnUtilization utilization of the warning level
	 * @param criticalUtilization utilization of the critical level
	 * @param historySize number of recent samples kept per pool, at least 1
	 */
	public MonitorSettings {
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		Assert.isTrue(warnUtilization > 0 && warnUtilization <= criticalUtilization && criticalUtilization <= 1,
				"0 < 'warnUtilization' <= 'criticalUtilization' <= 1 must hold");
		Assert.isTrue(historySize >= 1, "'historySize' must be at least 1");
	}

	/**
	 * Return the level of a utilization.
	 * @param utilization the share of max-connections in use
	 * @return the level
	 */
	public PoolLevel levelOf(double utilization) {
		if (utilization >= this.criticalUtilization) {
			return PoolLevel.CRITICAL;
		}
		return (utilization >= this.warnUtilization) ? PoolLevel.WARNING : PoolLevel.OK;
	}

}
