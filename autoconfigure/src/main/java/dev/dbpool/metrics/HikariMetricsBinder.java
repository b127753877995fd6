package dev.dbpool.metrics;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.dbpool.datasource.BorrowTracker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jdbc.DataSourceUnwrapper;

/**
 * Gives the pools db-pool built HikariCP's own {@code hikaricp.*} meters, as Spring Boot
 * gives them to other pools: it attaches HikariCP's
 * {@link MicrometerMetricsTrackerFactory} to each pool's {@link BorrowTracker}, which
 * Spring Boot's own binder leaves alone since the pool has a tracker already. The meters
 * are HikariCP's, with their names, tags and meaning; a pool that started before the
 * registry was bound gets them then.
 *
 * @author db-pool
 * @since 0.8.0
 */
public class HikariMetricsBinder implements MeterBinder {

	private final ObjectProvider<DataSource> dataSources;

	private final @Nullable AcquirePercentilesMeterFilter percentiles;

	/**
	 * Create a binder.
	 * @param dataSources the application's DataSource beans
	 * @param percentiles the filter that publishes the acquire time's distribution, if it
	 * is on: then the percentiles of the pools db-pool built are read from their trackers
	 */
	public HikariMetricsBinder(ObjectProvider<DataSource> dataSources,
			@Nullable AcquirePercentilesMeterFilter percentiles) {
		this.dataSources = dataSources;
		this.percentiles = percentiles;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		MicrometerMetricsTrackerFactory micrometer = new MicrometerMetricsTrackerFactory(registry);
		this.dataSources.stream(ObjectProvider.UNFILTERED, false).forEach((dataSource) -> {
			HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					HikariDataSource.class);
			BorrowTracker tracker = (pool != null) ? BorrowTracker.of(pool) : null;
			if (tracker != null) {
				tracker.attach((poolName, poolStats) -> {
					if (this.percentiles != null) {
						this.percentiles.percentilesComputedFor(poolName,
								AcquirePercentileGauges.publishesHistograms(registry));
					}
					IMetricsTracker meters = micrometer.create(poolName, poolStats);
					if (this.percentiles != null) {
						AcquirePercentileGauges.register(registry, poolName, tracker);
					}
					return meters;
				});
			}
		});
	}

}
