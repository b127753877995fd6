package dev.dbpool.metrics;

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
 *
 * @author db-pool
 * @since 0.2.0
 */
public class AcquirePercentilesMeterFilter implements MeterFilter {

	/** HikariCP's timer of the wait for a connection. */
	public static final String ACQUIRE = "hikaricp.connections.acquire";

	private static final DistributionStatisticConfig PERCENTILES = DistributionStatisticConfig.builder()
		.percentilesHistogram(true)
		.percentiles(0.5, 0.95, 0.99)
		.build();

	@Override
	public @Nullable DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
		return ACQUIRE.equals(id.getName()) ? config.merge(PERCENTILES) : config;
	}

}
