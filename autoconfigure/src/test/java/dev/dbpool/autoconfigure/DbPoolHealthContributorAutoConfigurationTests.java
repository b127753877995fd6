package dev.dbpool.autoconfigure;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.PooledDataSourceHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
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
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl(), "spring.application.name=orders");

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
	void replacesSpringBootsDbWithOneThatNeverWaitsForAConnection() {
		this.runner.withConfiguration(AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasBean("dbHealthContributor");
				assertThat(context.getBean("dbHealthContributor")).isInstanceOf(PooledDataSourceHealthIndicator.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("db"))
					.isInstanceOf(PooledDataSourceHealthIndicator.class);
			});
	}

	@Test
	void springBootsDbStaysWithReplaceDbOff() {
		this.runner.withConfiguration(AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
			.withPropertyValues("app.db.pool.health.replace-db=false")
			.run((context) -> assertThat(context.getBean("dbHealthContributor"))
				.isInstanceOf(DataSourceHealthIndicator.class));
	}

	@Test
	void springBootsSwitchForDbSwitchesOffBoth() {
		this.runner.withConfiguration(AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
			.withPropertyValues("management.health.db.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("dbHealthContributor")
				.hasSingleBean(DbPoolHealthIndicator.class));
	}

	@Test
	void dbBacksOffForTheApplicationsOwn() {
		this.runner.withConfiguration(AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
			.withBean("dbHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
			.run((context) -> assertThat(context).doesNotHaveBean("dbHealthContributor"));
	}

	@Test
	void aDataSourceThatIsNotHikariKeepsSpringBootsCheckInsideTheComposite() {
		this.runner.withConfiguration(AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
			.withBean("reportsDataSource", DataSource.class,
					() -> new SimpleDriverDataSource(new org.postgresql.Driver(), TestDatabase.get().jdbcUrl()))
			.withBean("ordersDataSource", HikariDataSource.class, () -> {
				HikariDataSource pool = new HikariDataSource();
				pool.setJdbcUrl(TestDatabase.get().jdbcUrl());
				return pool;
			})
			.run((context) -> {
				CompositeHealthContributor db = context.getBean("dbHealthContributor",
						CompositeHealthContributor.class);
				assertThat(db.getContributor("reportsDataSource")).isInstanceOf(DataSourceHealthIndicator.class);
				assertThat(db.getContributor("ordersDataSource")).isInstanceOf(PooledDataSourceHealthIndicator.class);
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
			.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl())
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
