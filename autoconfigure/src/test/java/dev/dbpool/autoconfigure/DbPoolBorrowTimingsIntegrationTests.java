package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.BorrowTotals;
import dev.dbpool.datasource.BorrowTracker;
import dev.dbpool.metrics.AcquirePercentilesMeterFilter;
import dev.dbpool.metrics.HikariMetricsBinder;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolTimings;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for db-pool's own borrow tracker against a real PostgreSQL:
 * HikariCP's {@code hikaricp.*} meters keep their names, tags and histogram, fed through
 * it (Spring Boot's binder adds no tracker of its own); the monitor's timings need no
 * meter registry and see holds shorter than a millisecond; a registry bound after the
 * pool started still gets the meters.
 */
class DbPoolBorrowTimingsIntegrationTests {

	private static final String[] GAUGES = { "hikaricp.connections", "hikaricp.connections.active",
			"hikaricp.connections.idle", "hikaricp.connections.pending", "hikaricp.connections.max",
			"hikaricp.connections.min" };

	private final ApplicationContextRunner withoutMetrics = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolMetricsAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.max-connections=3", "app.db.pool.min-connections=1",
				"app.db.pool.pooler.mode=none");

	private final ApplicationContextRunner withMetrics = this.withoutMetrics
		.withConfiguration(DbPoolMetricsIntegrationTests.SPRING_BOOT_METRICS);

	@Test
	void hikariCpsMetersAreFedThroughDbPoolsTracker() {
		String name = ServerSide.uniqueName("it-timings-meters");
		String pool = name + "-pool";
		this.withMetrics.withPropertyValues("spring.application.name=" + name).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			HikariDataSource dataSource = context.getBean(HikariDataSource.class);
			for (int i = 0; i < 5; i++) {
				dataSource.getConnection().close();
			}
			// Spring Boot's binder left db-pool's tracker in place: HikariCP takes one.
			BorrowTracker tracker = BorrowTracker.of(dataSource);
			assertThat(tracker).isNotNull();
			BorrowTotals totals = tracker.totals();
			for (String gauge : GAUGES) {
				assertThat(registry.get(gauge).gauges()).as(gauge)
					.singleElement()
					.satisfies((meter) -> assertThat(meter.getId().getTags()).containsExactly(Tag.of("pool", pool)));
			}
			Timer acquire = only(registry, "hikaricp.connections.acquire", pool);
			Timer usage = only(registry, "hikaricp.connections.usage", pool);
			only(registry, "hikaricp.connections.creation", pool);
			assertThat(registry.get("hikaricp.connections.timeout").counters()).singleElement()
				.satisfies((meter) -> assertThat(meter.getId().getTags()).containsExactly(Tag.of("pool", pool)));
			// Recorded once each: through db-pool's tracker, by HikariCP's only.
			assertThat(acquire.count()).isEqualTo(totals.acquires()).isEqualTo(5);
			assertThat(usage.count()).isEqualTo(totals.returns()).isEqualTo(5);
			assertThat(acquire.getId().getDescription()).isEqualTo("Connection acquire time");
			// db-pool's percentiles of the acquire time, read from its tracker (a simple
			// registry publishes no histogram buckets).
			assertThat(registry.find("hikaricp.connections.acquire.percentile").tag("pool", pool).gauges())
				.extracting((gauge) -> gauge.getId().getTag("phi"))
				.containsExactlyInAnyOrder("0.5", "0.95", "0.99");
			assertThat(registry.get("hikaricp.connections.acquire.percentile")
				.tag("pool", pool)
				.tag("phi", "0.99")
				.gauge()
				.value()).isPositive().isLessThan(acquire.max(TimeUnit.SECONDS) * 1.07);
		});
	}

	@Test
	void timingsNeedNoMeterRegistryAndSeeHoldsShorterThanAMillisecond() {
		String name = ServerSide.uniqueName("it-timings-no-registry");
		this.withoutMetrics.withPropertyValues("spring.application.name=" + name).run((context) -> {
			assertThat(context).doesNotHaveBean(MeterRegistry.class);
			HikariDataSource dataSource = context.getBean(HikariDataSource.class);
			dataSource.getConnection().close();
			PoolTimings before = context.getBean(PoolMonitor.class).pools().get(0).observe().timings();
			assertThat(before.isKnown()).isTrue();
			long start = System.nanoTime();
			for (int i = 0; i < 100; i++) {
				// Held for microseconds: HikariCP's usage timer records each as 0 ms.
				dataSource.getConnection().close();
			}
			long shortHolds = System.nanoTime() - start;
			PoolTimings between = context.getBean(PoolMonitor.class).pools().get(0).observe().timings();
			assertThat(between.borrows() - before.borrows()).isEqualTo(100);
			assertThat(between.heldNanos() - before.heldNanos()).isPositive().isLessThan(shortHolds);
			start = System.nanoTime();
			try (Connection connection = dataSource.getConnection()) {
				Thread.sleep(20);
			}
			long longHold = System.nanoTime() - start;
			PoolTimings after = context.getBean(PoolMonitor.class).pools().get(0).observe().timings();
			assertThat(after.borrows() - between.borrows()).isOne();
			assertThat(after.acquires() - before.acquires()).isEqualTo(101);
			assertThat(after.heldNanos() - between.heldNanos()).isBetween(TimeUnit.MILLISECONDS.toNanos(20), longHold);
			assertThat(after.waitedNanos()).isPositive();
		});
	}

	@Test
	void registryBoundAfterThePoolStartedGetsHikariCpsMeters() {
		String name = ServerSide.uniqueName("it-timings-late-registry");
		String pool = name + "-pool";
		this.withoutMetrics.withPropertyValues("spring.application.name=" + name).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			dataSource.getConnection().close();
			MeterRegistry registry = new SimpleMeterRegistry();
			new HikariMetricsBinder(context.getBeanProvider(DataSource.class), null).bindTo(registry);
			for (String gauge : GAUGES) {
				assertThat(registry.get(gauge).tag("pool", pool).gauge().value()).as(gauge).isNotNegative();
			}
			assertThat(registry.get("hikaricp.connections.max").tag("pool", pool).gauge().value()).isEqualTo(3);
			dataSource.getConnection().close();
			assertThat(only(registry, "hikaricp.connections.acquire", pool).count()).isOne();
			assertThat(only(registry, "hikaricp.connections.usage", pool).count()).isOne();
			// The pool's own timings count from its start.
			assertThat(BorrowTracker.of(context.getBean(HikariDataSource.class)).totals().acquires()).isEqualTo(2);
		});
	}

	@Test
	void prometheusKeepsTheAcquireHistogramBuckets() {
		String name = ServerSide.uniqueName("it-timings-prometheus");
		String pool = name + "-pool";
		this.withoutMetrics.withPropertyValues("spring.application.name=" + name).run((context) -> {
			PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
			AcquirePercentilesMeterFilter filter = new AcquirePercentilesMeterFilter();
			registry.config().meterFilter(filter);
			new HikariMetricsBinder(context.getBeanProvider(DataSource.class), filter).bindTo(registry);
			DataSource dataSource = context.getBean(DataSource.class);
			for (int i = 0; i < 3; i++) {
				dataSource.getConnection().close();
			}
			String scrape = registry.scrape();
			assertThat(scrape)
				.contains("hikaricp_connections_acquire_seconds_bucket{pool=\"" + pool + "\",le=\"0.001\"} 3")
				.contains("hikaricp_connections_acquire_seconds_count{pool=\"" + pool + "\"} 3")
				.contains("hikaricp_connections_usage_seconds_count{pool=\"" + pool + "\"} 3")
				.contains("hikaricp_connections_active{pool=\"" + pool + "\"}")
				.doesNotContain("hikaricp_connections_acquire_percentile");
		});
	}

	@Test
	void monitorSwitchedOffLeavesThePoolToSpringBootsTracker() {
		String name = ServerSide.uniqueName("it-timings-unmonitored");
		String pool = name + "-pool";
		this.withMetrics.withPropertyValues("spring.application.name=" + name, "app.db.pool.monitor.enabled=false")
			.run((context) -> {
				HikariDataSource dataSource = context.getBean(HikariDataSource.class);
				dataSource.getConnection().close();
				assertThat(BorrowTracker.of(dataSource)).isNull();
				assertThat(only(context.getBean(MeterRegistry.class), "hikaricp.connections.acquire", pool).count())
					.isOne();
			});
	}

	private static Timer only(MeterRegistry registry, String name, String pool) {
		assertThat(registry.get(name).timers()).as(name)
			.singleElement()
			.extracting(Meter::getId)
			.satisfies((id) -> assertThat(id.getTags()).containsExactly(Tag.of("pool", pool)));
		return registry.get(name).timer();
	}

}
