package dev.dbpool.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
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
 * Values db-pool cannot use stop the start-up with a failure analysis that names the
 * property or variable, the value and what is allowed; none is silently adjusted.
 */
class DbPoolInvalidConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	private final ApplicationContextRunner monitorRunner = this.runner.withConfiguration(AutoConfigurations
		.of(DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class));

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			app.db.pool.max-connections             | 0     | a whole number, at least 1
			app.db.pool.max-connections             | -5    | a whole number, at least 1
			app.db.pool.min-connections             | -1    | a whole number, at least 0
			app.db.pool.acquire-timeout             | 100ms | at least 250ms (HikariCP's floor)
			app.db.pool.acquire-timeout             | 0     | at least 250ms (HikariCP's floor)
			app.db.pool.acquire-timeout             | -1s   | at least 250ms (HikariCP's floor)
			app.db.pool.validation-timeout          | 100ms | at least 250ms (HikariCP's floor)
			app.db.pool.idle-timeout                | 5s    | 0 (keep idle connections) or at least 10s
			app.db.pool.idle-timeout                | -1s   | 0 (keep idle connections) or at least 10s
			app.db.pool.max-lifetime                | 10s   | 0 (no limit) or at least 30s
			app.db.pool.keepalive-time              | 10s   | 0 (off) or at least 30s
			app.db.pool.leak-detection-threshold    | 1s    | 0 (off) or at least 2s
			app.db.pool.connect-timeout             | 0     | a whole number of seconds, at least 1s
			app.db.pool.connect-timeout             | 1500ms| a whole number of seconds, at least 1s
			app.db.pool.socket-timeout              | -1s   | 0 (derive it) or a whole number of seconds
			app.db.pool.statement-timeout           | -1s   | 0 (no limit) or a positive duration
			app.db.pool.idle-in-transaction-timeout | -1s   | 0 (no limit) or a positive duration
			app.db.pool.lock-timeout                | -1s   | 0 (no limit) or a positive duration
			app.db.pool.statement-cache-size        | -1    | a whole number, at least 0
			app.db.pool.application-name            | Café  | printable ASCII characters, at most 63
			app.db.pool.instances                   | 0     | a whole number, at least 1
			""")
	void outOfRangeValueFailsNamingPropertyValueAndWhatIsAllowed(String property, String value, String allowed) {
		assertFailsNamingPropertyValueAndWhatIsAllowed(this.runner, property, value, allowed);
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			app.db.pool.monitor.interval             | 500ms | at least 1s
			app.db.pool.monitor.interval             | 0     | at least 1s
			app.db.pool.monitor.warn-utilization     | 0     | a share of max-connections above 0 and at most 1
			app.db.pool.monitor.warn-utilization     | 1.5   | a share of max-connections above 0 and at most 1
			app.db.pool.monitor.critical-utilization | -0.1  | a share of max-connections above 0 and at most 1
			app.db.pool.monitor.critical-utilization | NaN   | a share of max-connections above 0 and at most 1
			app.db.pool.monitor.history-size         | 0     | a whole number, at least 1
			app.db.pool.health.exhausted-grace       | -1s   | 0 or a positive duration
			app.db.pool.monitor.server-interval      | 500ms | at least 1s
			app.db.pool.monitor.idle-in-transaction-warning | 0   | a positive duration
			app.db.pool.monitor.idle-in-transaction-warning | -1s | a positive duration
			""")
	void outOfRangeMonitorValueFailsNamingPropertyValueAndWhatIsAllowed(String property, String value, String allowed) {
		assertFailsNamingPropertyValueAndWhatIsAllowed(this.monitorRunner, property, value, allowed);
	}

	static void assertFailsNamingPropertyValueAndWhatIsAllowed(ApplicationContextRunner runner, String property,
			String value, String allowed) {
		runner.withPropertyValues(property + "=" + value).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains(property + "='" + value + "'")
				.contains("property source 'test'")
				.contains("Allowed: " + allowed);
			assertThat(failure.getAction()).contains(property).contains(allowed);
		});
	}

	@Test
	void warnUtilizationAboveCriticalFailsNamingBoth() {
		this.monitorRunner.withPropertyValues("app.db.pool.monitor.warn-utilization=0.9")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.monitor.warn-utilization='0.9'")
				.contains("app.db.pool.monitor.critical-utilization='0.85' (default)")
				.contains("at most critical-utilization (0.85)"));
	}

	@Test
	void monitorIntervalVariableBelowASecondFailsNamingTheVariable() {
		this.monitorRunner.withInitializer(EnvironmentVariables.of("DB_MONITOR_INTERVAL_SECS=0")).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.monitor.interval")
				.contains("DB_MONITOR_INTERVAL_SECS='0' (environment variable)")
				.contains("Allowed: at least 1s");
			assertThat(failure.getAction()).startsWith("Change DB_MONITOR_INTERVAL_SECS");
		});
	}

	@Test
	void instancesVariableBelowOneFailsNamingTheVariable() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOL_INSTANCES=0")).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.instances")
				.contains("DB_POOL_INSTANCES='0' (environment variable)")
				.contains("Allowed: a whole number, at least 1");
			assertThat(failure.getAction()).startsWith("Change DB_POOL_INSTANCES");
		});
	}

	@Test
	void monitorValuesAreNotCheckedWhenTheMonitorIsOff() {
		this.monitorRunner.withPropertyValues("app.db.pool.monitor.enabled=false", "app.db.pool.monitor.interval=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void serverViewValuesAreNotCheckedWhenTheServerViewIsOff() {
		this.monitorRunner
			.withPropertyValues("app.db.pool.monitor.server-enabled=false", "app.db.pool.monitor.server-interval=0",
					"app.db.pool.monitor.idle-in-transaction-warning=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void tooLongApplicationNameFails() {
		this.runner.withPropertyValues("app.db.pool.application-name=" + "a".repeat(64))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("at most 63"));
	}

	@Test
	void minAboveMaxFailsNamingBoth() {
		this.runner.withPropertyValues("app.db.pool.max-connections=10", "app.db.pool.min-connections=30")
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription()).contains("app.db.pool.min-connections='30'")
					.contains("app.db.pool.max-connections='10'")
					.contains("at most max-connections (10)");
			});
	}

	@Test
	void minAboveAProfilesMaxFailsNamingTheProfile() {
		this.runner.withPropertyValues("app.db.pool.profile=microservice", "app.db.pool.min-connections=8")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.min-connections='8'")
				.contains("app.db.pool.max-connections='5' (profile microservice)"));
	}

	@Test
	void explicitValidationTimeoutAboveAcquireTimeoutFails() {
		this.runner.withPropertyValues("app.db.pool.acquire-timeout=2s", "app.db.pool.validation-timeout=3s")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.validation-timeout='3s'")
				.contains("at most acquire-timeout (2s)"));
	}

	@Test
	void defaultValidationTimeoutIsLoweredBelowAShortAcquireTimeout() {
		this.runner.withPropertyValues("app.db.pool.acquire-timeout=400ms")
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getValidationTimeout())
				.isEqualTo(250));
	}

	@Test
	void idleTimeoutNotBelowMaxLifetimeFails() {
		this.runner.withPropertyValues("app.db.pool.idle-timeout=30m", "app.db.pool.max-lifetime=30m")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.idle-timeout='30m'")
				.contains("at least 1s shorter than max-lifetime (30m)"));
	}

	@Test
	void keepaliveNotBelowMaxLifetimeFails() {
		this.runner
			.withPropertyValues("app.db.pool.keepalive-time=1m", "app.db.pool.max-lifetime=1m",
					"app.db.pool.idle-timeout=30s")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.keepalive-time='1m'")
				.contains("shorter than max-lifetime (1m)"));
	}

	@Test
	void leakThresholdAboveMaxLifetimeFails() {
		this.runner.withPropertyValues("app.db.pool.leak-detection-threshold=40m")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.leak-detection-threshold='40m'")
				.contains("at most max-lifetime (30m)"));
	}

	@Test
	void socketTimeoutNotAboveStatementTimeoutFails() {
		this.runner.withPropertyValues("app.db.pool.socket-timeout=30s")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.socket-timeout='30s'")
				.contains("app.db.pool.statement-timeout='30s' (default)")
				.contains("longer than statement-timeout (30s)"));
	}

	@Test
	void variableThatIsNotANumberFailsNamingTheVariable() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_MAX_CONNECTIONS=abc")).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.max-connections")
				.contains("DB_MAX_CONNECTIONS='abc' (environment variable)")
				.contains("Allowed: a whole number");
			assertThat(failure.getAction()).startsWith("Change DB_MAX_CONNECTIONS to a whole number");
		});
	}

	@Test
	void variableInSecondsThatIsNotANumberFailsNamingTheUnit() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_ACQUIRE_TIMEOUT_SECS=10s"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("DB_ACQUIRE_TIMEOUT_SECS='10s' (environment variable)")
				.contains("a whole number of seconds"));
	}

	@Test
	void outOfRangeVariableFailsNamingTheVariableAndItsRawValue() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_ACQUIRE_TIMEOUT_SECS=0")).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.acquire-timeout")
				.contains("DB_ACQUIRE_TIMEOUT_SECS='0' (environment variable)")
				.contains("at least 250ms");
			assertThat(failure.getAction()).startsWith("Change DB_ACQUIRE_TIMEOUT_SECS");
		});
	}

	@Test
	void zeroSizeFromAVariableFailsNamingTheVariable() {
		this.runner.withInitializer(EnvironmentVariables.of("DATABASE_POOL_MAX=0"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("DATABASE_POOL_MAX='0' (environment variable)")
				.contains("at least 1"));
	}

	@Test
	void springsOwnVariableNameIsNamedToo() {
		this.runner.withInitializer(EnvironmentVariables.of("APP_DB_POOL_MAX_CONNECTIONS=0"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("APP_DB_POOL_MAX_CONNECTIONS='0' (environment variable)"));
	}

	@Test
	void twoAliasesThatDisagreeFailNamingBoth() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_MAX_CONNECTIONS=10", "DB_POOL_MAX=12"))
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription()).contains("app.db.pool.max-connections")
					.contains("DB_MAX_CONNECTIONS='10'")
					.contains("DB_POOL_MAX='12'");
				assertThat(failure.getAction()).contains("DB_POOL_MAX").contains("DB_MAX_CONNECTIONS");
			});
	}

	@Test
	void springsVariableAndAnAliasThatDisagreeFailNamingBoth() {
		this.runner.withInitializer(EnvironmentVariables.of("APP_DB_POOL_MAX_CONNECTIONS=10", "DB_MAX_CONNECTIONS=12"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("APP_DB_POOL_MAX_CONNECTIONS='10'")
				.contains("DB_MAX_CONNECTIONS='12'"));
	}

	@Test
	void aliasesInDifferentUnitsThatAgreeAreAccepted() {
		this.runner
			.withInitializer(EnvironmentVariables.of("DB_ACQUIRE_TIMEOUT_SECS=5", "DATABASE_POOL_ACQUIRE_TIMEOUT=5000"))
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getConnectionTimeout())
				.isEqualTo(5000));
	}

	@Test
	void aliasesInDifferentUnitsThatDisagreeFail() {
		this.runner
			.withInitializer(EnvironmentVariables.of("DB_IDLE_TIMEOUT_SECS=60", "DATABASE_POOL_IDLE_TIMEOUT=6000"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("DB_IDLE_TIMEOUT_SECS='60'")
				.contains("DATABASE_POOL_IDLE_TIMEOUT='6000'"));
	}

	@Test
	void malformedDatabaseUrlFailsWithoutShowingThePassword() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
			.withInitializer(EnvironmentVariables.of("DATABASE_URL=postgres://app:hunter2@db.internal:99999/orders"))
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription())
					.contains("DATABASE_URL='postgres://app:****@db.internal:99999/orders'")
					.contains("the port 99999 is not between 1 and 65535")
					.contains("Allowed: a URL of the form postgres://user:password@host:port/database")
					.doesNotContain("hunter2");
				assertThat(failure.getAction()).doesNotContain("hunter2");
			});
	}

}
