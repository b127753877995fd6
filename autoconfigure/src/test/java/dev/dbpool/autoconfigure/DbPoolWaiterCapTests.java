package dev.dbpool.autoconfigure;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code app.db.pool.max-waiting} on the pool db-pool builds: no cap unless it is set,
 * the cap it sets, its start-up line, and a value below 1 stopping the start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolWaiterCapTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	@Test
	void noCapByDefault() {
		this.runner.run((context) -> assertThat(context.getBean(DbPoolDataSource.class).waiterCap()).isNull());
	}

	@Test
	void maxWaitingCapsThePool(CapturedOutput output) {
		this.runner.withPropertyValues("app.db.pool.max-waiting=50").run((context) -> {
			assertThat(context.getBean(DbPoolDataSource.class).waiterCap().getMaxWaiting()).isEqualTo(50);
			assertThat(output).contains("application-name 'db-pool', max-waiting 50");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "-1" })
	void maxWaitingBelowOneFailsNamingPropertyValueAndWhatIsAllowed(String value) {
		this.runner.withPropertyValues("app.db.pool.max-waiting=" + value).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.max-waiting='" + value + "'")
				.contains("property source 'test'")
				.contains("Allowed: a whole number, at least 1, or unset for no cap");
			assertThat(failure.getAction()).startsWith("Change app.db.pool.max-waiting to a whole number, at least 1");
		});
	}

}
