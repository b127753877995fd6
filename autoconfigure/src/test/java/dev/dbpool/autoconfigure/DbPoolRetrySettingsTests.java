package dev.dbpool.autoconfigure;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.settings.RetryPolicy;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code app.db.pool.retry.*} properties: values that cannot be used stop the
 * start-up with a failure analysis naming the property, the value and what is allowed.
 */
class DbPoolRetrySettingsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			app.db.pool.retry.max-attempts    | 0     | a whole number, at least 1 (1 means no retry)
			app.db.pool.retry.max-attempts    | -2    | a whole number, at least 1 (1 means no retry)
			app.db.pool.retry.initial-backoff | 0     | a positive duration
			app.db.pool.retry.initial-backoff | -1s   | a positive duration
			""")
	void outOfRangeRetryValueFailsNamingPropertyValueAndWhatIsAllowed(String property, String value, String allowed) {
		DbPoolInvalidConfigurationTests.assertFailsNamingPropertyValueAndWhatIsAllowed(this.runner, property, value,
				allowed);
	}

	@Test
	void maxBackoffBelowInitialBackoffFailsNamingBoth() {
		this.runner.withPropertyValues("app.db.pool.retry.max-backoff=50ms").run((context) -> {
			assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.retry.max-backoff='50ms'")
				.contains("app.db.pool.retry.initial-backoff='100ms' (default)")
				.contains("at least initial-backoff (100ms)");
		});
	}

	@Test
	void maxBackoffEqualToInitialBackoffIsAccepted() {
		this.runner.withPropertyValues("app.db.pool.retry.initial-backoff=1s", "app.db.pool.retry.max-backoff=1s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void poolOpensItsConnectionsThroughASourceThatRetriesAsConfigured() {
		this.runner
			.withPropertyValues("app.db.pool.retry.max-attempts=5", "app.db.pool.retry.initial-backoff=250ms",
					"app.db.pool.retry.max-backoff=4s")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
				assertThat(source).isNotNull();
				assertThat(source.getRetryPolicy())
					.isEqualTo(new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(4)));
			});
	}

}
