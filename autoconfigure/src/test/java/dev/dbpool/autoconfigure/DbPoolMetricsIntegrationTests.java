package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the meters against a real PostgreSQL, with Spring Boot's own
 * metrics auto-configuration: Spring Boot's {@code hikaricp.*} and
 * {@code jdbc.connections.*} meters stay, db-pool's {@code db.pool.*} meters come with
 * the pool, and the acquire-time percentiles are published unless the application
 * configures that meter.
 */
class DbPoolMetricsIntegrationTests {

	/**
	 * Spring Boot's metrics, as an application with the actuator has them: a simple
	 * registry, and the {@code hikaricp.*} and {@code jdbc.connections.*} meters.
	 */
	static final AutoConfigurations SPRING_BOOT_METRICS = AutoConfigurations.of(MetricsAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
			DataSourcePoolMetricsAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolMetricsAutoConfiguration.class))
		.withConfiguration(SPRING_BOOT_METRICS)
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.max-connections=3", "app.db.pool.min-connections=1",
				"app.db.pool.monitor.interval=1s");

	@Test
	void springBootsMetersAndDbPoolsAreTaggedWithThePool() {
		String name = ServerSide.uniqueName("it-metrics");
		String pool = name + "-pool";
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				for (String gauge : new String[] { "hikaricp.connections", "hikaricp.connections.active",
						"hikaricp.connections.idle", "hikaricp.connections.pending", "hikaricp.connections.max",
						"hikaricp.connections.min" }) {
					assertThat(registry.get(gauge).tag("pool", pool).gauge()).as(gauge).isNotNull();
				}
				assertThat(registry.get("hikaricp.connections.timeout").tag("pool", pool).counter().count()).isZero();
				assertThat(registry.get("hikaricp.connections.acquire").tag("pool", pool).timer().count()).isOne();
				assertThat(registry.get("hikaricp.connections.creation").tag("pool", pool).timer()).isNotNull();
				assertThat(registry.get("hikaricp.connections.usage").tag("pool", pool).timer()).isNotNull();
				// Spring Boot tags its generic gauges with the DataSource bean's name; it
				// has .active and .idle only for a pool that had started when it bound
				// them, which this one had not.
				for (String gauge : new String[] { "jdbc.connections.max", "jdbc.connections.min" }) {
					assertThat(registry.get(gauge).tag("name", "dataSource").gauge()).as(gauge).isNotNull();
				}
				// db-pool's come once the monitor has seen the pool started.
				await().atMost(Duration.ofSeconds(5))
					.until(() -> registry.find("db.pool.utilization").tag("pool", pool).gauge() != null);
				assertThat(registry.get("db.pool.utilization").tag("pool", pool).gauge().value()).isCloseTo(1.0 / 3,
						org.assertj.core.data.Offset.offset(0.001));
				assertThat(registry.get("db.pool.exhausted").tag("pool", pool).counter().count()).isZero();
				assertThat(registry.get("db.pool.exhausted.duration").tag("pool", pool).timer().count()).isZero();
				assertThat(context.getBean(PoolMonitor.class).pools().get(0).latest().connectionsCreated())
					.isGreaterThanOrEqualTo(1);
			}
		});
	}

	@Test
	void acquireTimePercentilesArePublished() {
		String name = ServerSide.uniqueName("it-metrics-percentiles");
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(DataSource.class).getConnection().close();
			for (String phi : new String[] { "0.5", "0.95", "0.99" }) {
				assertThat(registry.get("hikaricp.connections.acquire.percentile")
					.tag("pool", name + "-pool")
					.tag("phi", phi)
					.gauge()).as(phi).isNotNull();
			}
		});
	}

	@Test
	void applicationsDistributionSettingsForTheAcquireTimerWin() {
		String name = ServerSide.uniqueName("it-metrics-own-percentiles");
		this.runner
			.withPropertyValues("spring.application.name=" + name,
					"management.metrics.distribution.percentiles.hikaricp.connections.acquire=0.9")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				context.getBean(DataSource.class).getConnection().close();
				assertThat(registry.find("hikaricp.connections.acquire.percentile").gauges())
					.extracting((gauge) -> gauge.getId().getTag("phi"))
					.containsExactly("0.9");
			});
	}

}
