package dev.dbpool.autoconfigure;

import dev.dbpool.metrics.AcquirePercentilesMeterFilter;
import dev.dbpool.metrics.DbPoolMeterBinder;
import dev.dbpool.metrics.HikariMetricsBinder;
import dev.dbpool.metrics.MicrometerPoolCounters;
import dev.dbpool.monitor.PoolCounters;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolMetricsAutoConfiguration}: which meters and filters exist under
 * which switches, that the application's own distribution settings win, and that absent
 * Micrometer leaves the rest working. No connection is opened.
 */
class DbPoolMetricsAutoConfigurationTests {

	/** Without Spring Boot's metrics: no meter registry. */
	private final ApplicationContextRunner withoutRegistry = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolMetricsAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	private final ApplicationContextRunner runner = this.withoutRegistry
		.withConfiguration(DbPoolMetricsIntegrationTests.SPRING_BOOT_METRICS);

	@Test
	void publishesThePoolMetersTheAcquirePercentilesAndReadsHikarisCounters() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(DbPoolMeterBinder.class)
			.hasSingleBean(AcquirePercentilesMeterFilter.class)
			.hasSingleBean(MicrometerPoolCounters.class));
	}

	@Test
	void hikariCpsMetersAreAttachedToDbPoolsTrackerWhereSpringBootBindsThem() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(HikariMetricsBinder.class));
		// Spring Boot's DataSource metrics excluded: no hikaricp.* meters for any pool.
		this.withoutRegistry
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(HikariMetricsBinder.class));
	}

	@Test
	void poolMetersSwitchOff() {
		this.runner.withPropertyValues("app.db.pool.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolMeterBinder.class)
				.hasSingleBean(AcquirePercentilesMeterFilter.class)
				.hasSingleBean(MicrometerPoolCounters.class));
	}

	@Test
	void acquirePercentilesSwitchOff() {
		this.runner.withPropertyValues("app.db.pool.metrics.acquire-percentiles=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AcquirePercentilesMeterFilter.class)
				.hasSingleBean(DbPoolMeterBinder.class));
	}

	@ParameterizedTest
	@ValueSource(strings = { "percentiles-histogram.hikaricp.connections.acquire=false",
			"percentiles-histogram[hikaricp.connections.acquire]=false", "percentiles.hikaricp.connections=0.9",
			"slo.hikaricp=10ms", "percentiles-histogram.all=true", "maximum-expected-value.hikaricp=5s" })
	void applicationsDistributionSettingsForTheAcquireTimerWinWhole(String setting) {
		this.runner.withPropertyValues("management.metrics.distribution." + setting)
			.run((context) -> assertThat(context).doesNotHaveBean(AcquirePercentilesMeterFilter.class));
	}

	@Test
	void distributionSettingsOfOtherMetersLeaveTheAcquirePercentiles() {
		this.runner
			.withPropertyValues("management.metrics.distribution.percentiles-histogram.http.server.requests=true")
			.run((context) -> assertThat(context).hasSingleBean(AcquirePercentilesMeterFilter.class));
	}

	@Test
	void backsOffForTheApplicationsOwnCounters() {
		this.runner.withBean(PoolCounters.class, () -> PoolCounters.NONE)
			.run((context) -> assertThat(context).doesNotHaveBean(MicrometerPoolCounters.class)
				.hasSingleBean(PoolCounters.class));
	}

	@Test
	void noMonitorMeansNoPoolMeters() {
		this.runner.withPropertyValues("app.db.pool.monitor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolMeterBinder.class)
				.doesNotHaveBean(MicrometerPoolCounters.class)
				.hasSingleBean(AcquirePercentilesMeterFilter.class));
	}

	@Test
	void noMeterRegistryMeansNoMeters() {
		this.withoutRegistry.run((context) -> assertThat(context).hasSingleBean(PoolMonitor.class)
			.doesNotHaveBean(DbPoolMeterBinder.class)
			.doesNotHaveBean(AcquirePercentilesMeterFilter.class));
	}

	@Test
	void noMicrometerMeansNoMetersAndTheMonitorStillWorks() {
		this.withoutRegistry.withClassLoader(new FilteredClassLoader("io.micrometer")).run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(DbPoolMeterBinder.class)
				.doesNotHaveBean(AcquirePercentilesMeterFilter.class);
			PoolMonitor monitor = context.getBean(PoolMonitor.class);
			monitor.sampleAll();
			assertThat(monitor.pools().get(0).history()).hasSize(1);
		});
	}

}
