package dev.dbpool.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.jspecify.annotations.Nullable;

/**
 * Publishes the distribution of HikariCP's {@value #ACQUIRE} timer, the wait for a
 * connection: a percentiles histogram (Prometheus' {@code _bucket} series, for
 * {@code histogram_quantile}) and the 50th, 95th and 99th percentiles computed in the
 * application (the {@code hikaricp.connections.acquire.percentile} gauges, tag
 * {@code phi}, in registries that publish them as meters). Settings the meter already has
 * win.
 * <p>
 * For the pools db-pool built ({@link #percentilesComputedFor(String)}) the timer gets
 * the histogram alone: db-pool publishes the same percentile gauges from the waits its
 * own tracker counts, off the borrow path, instead of Micrometer's recording each wait in
 * a shared percentile histogram.
 *
 * @author db-pool
 * @since 0.2.0
 */
public class AcquirePercentilesMeterFilter implements MeterFilter {

	/** HikariCP's timer of the wait for a connection. */
	public static final String ACQUIRE = "hikaricp.connections.acquire";

	/** The percentiles published. */
	static final double[] PHIS = { 0.5, 0.95, 0.99 };

	private static final DistributionStatisticConfig PERCENTILES = DistributionStatisticConfig.builder()
		.percentilesHistogram(true)
		.percentiles(PHIS)
		.build();

	private static final DistributionStatisticConfig HISTOGRAM = DistributionStatisticConfig.builder()
		.percentilesHistogram(true)
		.build();

	private final Set<String> computedElsewhere = ConcurrentHashMap.newKeySet();

	private final Set<String> withoutHistogram = ConcurrentHashMap.newKeySet();

	@Override
	public @Nullable DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
		if (!ACQUIRE.equals(id.getName())) {
			return config;
		}
		String pool = id.getTag(MicrometerPoolCounters.POOL_TAG);
		if (pool == null || !this.computedElsewhere.contains(pool)) {
			return config.merge(PERCENTILES);
		}
		return this.withoutHistogram.contains(pool) ? config : config.merge(HISTOGRAM);
	}

	/**
	 * Leave a pool's percentiles out of its acquire timer: db-pool publishes them.
	 * @param pool the pool's name
	 * @since 0.8.0
	 */
	public void percentilesComputedFor(String pool) {
		percentilesComputedFor(pool, true);
	}

	/**
	 * Leave a pool's percentiles out of its acquire timer, db-pool publishing them, and
	 * its histogram too where no registry it is in publishes one.
	 * @param pool the pool's name
	 * @param histogram whether a registry the pool's meters are in publishes the
	 * histogram's buckets (Prometheus' does, the simple one does not)
	 * @since 0.8.0
	 */
	public void percentilesComputedFor(String pool, boolean histogram) {
		if (!histogram) {
			this.withoutHistogram.add(pool);
		}
		this.computedElsewhere.add(pool);
	}

}
