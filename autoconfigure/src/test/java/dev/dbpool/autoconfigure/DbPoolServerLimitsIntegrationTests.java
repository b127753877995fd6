package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;

import javax.sql.DataSource;

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
 * Integration tests for {@link DbPoolAutoConfiguration} against a real PostgreSQL, at the
 * edges of what the server and the driver accept: db-pool takes every start-up option
 * value the server takes, and a value neither can take fails the start-up, naming the
 * setting, rather than every connection later.
 */
class DbPoolServerLimitsIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties());

	@Test
	void fractionalTimeInUrlStartupOptionsIsAppliedAsTheServerAppliesIt() throws Exception {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("SET statement_timeout = '1.5s'");
			assertThat(ServerSide.show(superuser, "statement_timeout")).as("the server takes 1.5s").isEqualTo("1500ms");
		}
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-fractional-option"),
					"spring.datasource.url=" + TestDatabase.get().jdbcUrl() + "?options=-c%20statement_timeout%3D1.5s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("1500ms");
				}
			});
	}

	// Server: statement_timeout, idle_in_transaction_session_timeout and lock_timeout are
	// at most 2147483647ms. Driver: socketTimeout is at most 2147483s (it is turned into
	// int milliseconds).
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			app.db.pool.idle-in-transaction-timeout=25d | app.db.pool.idle-in-transaction-timeout
			app.db.pool.lock-timeout=25d                | app.db.pool.lock-timeout
			app.db.pool.statement-timeout=25d           | app.db.pool.statement-timeout
			app.db.pool.statement-timeout=2147479s      | app.db.pool.statement-timeout
			app.db.pool.socket-timeout=2147484s         | app.db.pool.socket-timeout
			""")
	void timeoutTheServerOrDriverRefusesFailsTheStartupNamingTheSetting(String property, String setting) {
		this.runner.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-out-of-range"), property)
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains(setting));
	}

}
