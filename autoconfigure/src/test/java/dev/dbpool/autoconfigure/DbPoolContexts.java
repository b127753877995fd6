package dev.dbpool.autoconfigure;

import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The context the behaviour tests start against the test database: db-pool's pool,
 * monitor, {@code dbPool} health and meters, with Spring Boot's metrics as an application
 * with the actuator has them, and no environment variables but those a test sets.
 */
final class DbPoolContexts {

	private DbPoolContexts() {
	}

	/**
	 * Return a runner of db-pool with every feature, against the test database.
	 * @return the runner
	 */
	static ApplicationContextRunner everyFeature() {
		return everyFeature(new String[0]).withPropertyValues(TestDatabase.get().dataSourceProperties());
	}

	/**
	 * Return a runner of db-pool with every feature, no {@code spring.datasource.*} and
	 * these environment variables only (where {@code DATABASE_URL} says where to
	 * connect).
	 * @param variables the variables, as {@code NAME=value}
	 * @return the runner
	 */
	static ApplicationContextRunner everyFeature(String... variables) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
					DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class,
					DbPoolMetricsAutoConfiguration.class))
			.withConfiguration(DbPoolMetricsIntegrationTests.SPRING_BOOT_METRICS)
			.withInitializer(EnvironmentVariables.of(variables));
	}

}
