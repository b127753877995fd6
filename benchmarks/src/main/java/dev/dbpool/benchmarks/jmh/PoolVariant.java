package dev.dbpool.benchmarks.jmh;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.dbpool.datasource.BorrowTracker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The pools the hot-path benchmarks compare, each opened with the same size.
 * <ul>
 * <li>{@code bare}: {@code new HikariDataSource(config)} with only URL, credentials and
 * size: HikariCP with no metrics tracker, no Spring.</li>
 * <li>{@code boot-default}: Spring Boot's own HikariCP pool
 * ({@code app.db.pool.enabled=false}) with Boot's Micrometer tracker on a real registry:
 * what an application without db-pool has.</li>
 * <li>{@code db-pool}: the {@code DataSource} bean db-pool gives an application, from
 * every auto-configuration on the class path (db-pool's, Spring Boot's DataSource,
 * metrics and health ones) with every db-pool feature at its default, that is switched
 * on.</li>
 * </ul>
 * And the variants that say where the cost of the meters lies:
 * <ul>
 * <li>{@code no-op-tracker}: {@code bare} with a metrics tracker that does nothing: the
 * cost of HikariCP's tracker delegate itself (two more clock reads per cycle), the
 * ceiling of any tracker.</li>
 * <li>{@code db-pool-timings}: {@code bare} with db-pool's {@link BorrowTracker} alone
 * (no meter registry): db-pool's own borrow timings.</li>
 * <li>{@code micrometer-tracker}: {@code bare} with HikariCP's Micrometer tracker on a
 * {@link SimpleMeterRegistry}, no distribution: HikariCP's meters as Spring Boot binds
 * them, without Spring.</li>
 * <li>{@code db-pool-no-percentiles}: {@code db-pool} with
 * {@code app.db.pool.metrics.acquire-percentiles=false}: the price of the acquire timer's
 * percentiles and histogram.</li>
 * </ul>
 * The two Spring variants start a context with {@code @EnableAutoConfiguration}, so
 * whatever auto-configurations db-pool has when the benchmark runs are picked up without
 * changing this class.
 */
enum PoolVariant {

	/**
	 * HikariCP alone.
	 */
	BARE("bare"),

	/**
	 * Spring Boot's own HikariCP auto-configuration, db-pool switched off.
	 */
	BOOT_DEFAULT("boot-default"),

	/**
	 * The DataSource db-pool gives the application.
	 */
	DB_POOL("db-pool"),

	/**
	 * HikariCP alone with a tracker that does nothing.
	 */
	NO_OP_TRACKER("no-op-tracker"),

	/**
	 * HikariCP alone with db-pool's tracker and no meter registry.
	 */
	DB_POOL_TIMINGS("db-pool-timings"),

	/**
	 * HikariCP alone with its Micrometer tracker on a simple registry.
	 */
	MICROMETER_TRACKER("micrometer-tracker"),

	/**
	 * The DataSource db-pool gives the application, without the acquire percentiles.
	 */
	DB_POOL_NO_PERCENTILES("db-pool-no-percentiles"),

	/**
	 * The DataSource db-pool gives the application, the acquire timer with its histogram
	 * and without percentiles computed in the application.
	 */
	DB_POOL_HISTOGRAM_ONLY("db-pool-histogram-only");

	private final String id;

	PoolVariant(String id) {
		this.id = id;
	}

	String id() {
		return this.id;
	}

	static PoolVariant of(String id) {
		for (PoolVariant variant : values()) {
			if (variant.id.equals(id)) {
				return variant;
			}
		}
		throw new IllegalArgumentException("Unknown pool variant '" + id + "'; use one of "
				+ Arrays.stream(values()).map(PoolVariant::id).collect(Collectors.joining(", ")));
	}

	/**
	 * Open this variant's pool.
	 * @param maxConnections the pool's maximum size
	 * @param minConnections the pool's minimum idle size
	 * @return the open pool, to close after the benchmark
	 */
	OpenPool open(int maxConnections, int minConnections) {
		if (this == BARE || this == NO_OP_TRACKER || this == DB_POOL_TIMINGS || this == MICROMETER_TRACKER) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(BenchmarkDatabase.URL);
			config.setUsername(BenchmarkDatabase.USERNAME);
			config.setPassword(BenchmarkDatabase.PASSWORD);
			config.setMaximumPoolSize(maxConnections);
			config.setMinimumIdle(minConnections);
			config.setPoolName(this.id);
			MeterRegistry registry = null;
			if (this == NO_OP_TRACKER) {
				config.setMetricsTrackerFactory((poolName, poolStats) -> new IMetricsTracker() {
				});
			}
			else if (this == DB_POOL_TIMINGS) {
				config.setMetricsTrackerFactory(new BorrowTracker());
			}
			else if (this == MICROMETER_TRACKER) {
				registry = new SimpleMeterRegistry();
				config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
			}
			HikariDataSource dataSource = new HikariDataSource(config);
			return new OpenPool(dataSource, dataSource, null, registry);
		}
		ConfigurableApplicationContext context = startContext(contextProperties(maxConnections, minConnections));
		DataSource dataSource = context.getBean(DataSource.class);
		return new OpenPool(dataSource, context, context, context.getBean(MeterRegistry.class));
	}

	List<String> contextProperties(int maxConnections, int minConnections) {
		List<String> properties = new ArrayList<>(List.of("spring.datasource.url=" + BenchmarkDatabase.URL,
				"spring.datasource.username=" + BenchmarkDatabase.USERNAME,
				"spring.datasource.password=" + BenchmarkDatabase.PASSWORD, "spring.application.name=db-pool-bench",
				"spring.sql.init.mode=never", "logging.level.root=WARN"));
		if (this == DB_POOL_NO_PERCENTILES || this == DB_POOL_HISTOGRAM_ONLY) {
			properties.add("app.db.pool.metrics.acquire-percentiles=false");
		}
		if (this == DB_POOL_HISTOGRAM_ONLY) {
			properties.add("management.metrics.distribution.percentiles-histogram.hikaricp.connections.acquire=true");
		}
		if (this == BOOT_DEFAULT) {
			properties.addAll(List.of("app.db.pool.enabled=false", "app.db.pool.monitor.enabled=false",
					"app.db.pool.metrics.enabled=false", "app.db.pool.metrics.acquire-percentiles=false",
					"app.db.pool.shutdown.enabled=false",
					"spring.datasource.hikari.maximum-pool-size=" + maxConnections,
					"spring.datasource.hikari.minimum-idle=" + minConnections));
		}
		else {
			properties.addAll(List.of("app.db.pool.max-connections=" + maxConnections,
					"app.db.pool.min-connections=" + minConnections));
		}
		return properties;
	}

	static ConfigurableApplicationContext startContext(List<String> properties) {
		return new SpringApplicationBuilder(BenchmarkApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	/**
	 * An open pool: the {@link DataSource} to benchmark and what closes it.
	 *
	 * @param dataSource the data source to borrow from
	 * @param closeable closes the pool (and its context)
	 * @param context the Spring context, or {@code null} for a pool without Spring
	 * @param registry the registry HikariCP's meters are in, or {@code null} for a pool
	 * without meters
	 */
	record OpenPool(DataSource dataSource, AutoCloseable closeable, @Nullable ConfigurableApplicationContext context,
			@Nullable MeterRegistry registry) implements AutoCloseable {

		/**
		 * Borrow once, and for a variant with meters check that Hikari's Micrometer
		 * tracker is active (it records {@code hikaricp.connections.acquire}), so the
		 * comparison never silently measures a pool without its metrics.
		 * @throws Exception if the pool cannot lend a connection or the tracker is off
		 */
		void check() throws Exception {
			try (Connection connection = this.dataSource.getConnection()) {
				if (!connection.isValid(5)) {
					throw new IllegalStateException("The pool lent an invalid connection");
				}
			}
			if (this.registry != null) {
				if (this.registry.find("hikaricp.connections.acquire").timer() == null) {
					throw new IllegalStateException(
							"HikariCP's Micrometer tracker is not active: no hikaricp.connections.acquire timer");
				}
			}
		}

		@Override
		public void close() throws Exception {
			this.closeable.close();
		}

	}

	/**
	 * The benchmarks' application: auto-configuration only, no component scan.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BenchmarkApplication {

	}

}
