package dev.dbpool.autoconfigure;

import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.testsupport.EnvironmentVariables;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolHealthContributorAutoConfiguration}: registered as
 * {@code dbPool}, switched off by {@code management.health.dbpool.enabled}, backing off
 * for the application's own, and absent without the health module or the monitor. No
 * connection is opened.
 */
class DbPoolHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + DbPoolAutoConfigurationTests.URL,
				"spring.application.name=orders");

	@Test
	void registersDbPoolNextToSpringBootsDb() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(DbPoolHealthIndicator.class).hasBean("dbPoolHealthContributor");
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("dbPool"))
				.isSameAs(context.getBean(DbPoolHealthIndicator.class));
			Health health = context.getBean(DbPoolHealthIndicator.class).health();
			assertThat(health.getDetails()).containsEntry("pool", "orders-pool").containsEntry("exhaustedGrace", "5s");
		});
	}

	@Test
	void exhaustedGraceBinds() {
		this.runner.withPropertyValues("app.db.pool.health.exhausted-grace=30s")
			.run((context) -> assertThat(context.getBean(DbPoolHealthIndicator.class).health().getDetails())
				.containsEntry("exhaustedGrace", "30s"));
	}

	@Test
	void switchedOffByItsManagementProperty() {
		this.runner.withPropertyValues("management.health.dbpool.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolHealthIndicator.class)
				.hasSingleBean(PoolMonitor.class));
	}

	@Test
	void switchedOffWithTheDefaultIndicators() {
		this.runner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolHealthIndicator.class));
	}

	@Test
	void backsOffForTheApplicationsOwnIndicatorOfThatName() {
		HealthIndicator own = () -> Health.up().build();
		this.runner.withBean("dbPoolHealthIndicator", HealthIndicator.class, () -> own)
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolHealthIndicator.class)
				.hasBean("dbPoolHealthIndicator"));
	}

	@Test
	void noHealthModuleMeansNoIndicatorAndTheMonitorStillWorks() {
		// Without the module, Spring Boot's health auto-configurations are not there
		// either.
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
					DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class))
			.withInitializer(EnvironmentVariables.of())
			.withPropertyValues("spring.datasource.url=" + DbPoolAutoConfigurationTests.URL)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(DbPoolHealthIndicator.class)
				.hasSingleBean(PoolMonitor.class));
	}

	@Test
	void noMonitorMeansNoIndicator() {
		this.runner.withPropertyValues("app.db.pool.monitor.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DbPoolHealthIndicator.class));
	}

}
