package dev.dbpool.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.shutdown.PoolDrainLifecycle;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolShutdownAutoConfiguration}: when the drain lifecycle exists, its
 * time limit and phase, and bad time limits. No connection is opened.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolShutdownAutoConfigurationTests {

	// WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE (spring-boot-web-server,
	// not on this module's class path): the phase in which the web server stops.
	private static final int WEB_SERVER_STOP_PHASE = 2147481599;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolShutdownAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	@Test
	void drainsWithin30sByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(PoolDrainLifecycle.class);
			PoolDrainLifecycle lifecycle = context.getBean(PoolDrainLifecycle.class);
			assertThat(lifecycle.getTimeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(lifecycle.isAutoStartup()).isTrue();
			assertThat(lifecycle.isRunning()).isTrue();
		});
	}

	@Test
	void stopsAfterTheWebServerAndSpringsExecutors() {
		// A lower phase stops later.
		assertThat(PoolDrainLifecycle.PHASE).isEqualTo(1073740799)
			.isLessThan(ExecutorConfigurationSupport.DEFAULT_PHASE)
			.isLessThan(WEB_SERVER_STOP_PHASE)
			.isPositive();
		this.runner.run((context) -> assertThat(context.getBean(PoolDrainLifecycle.class).getPhase())
			.isEqualTo(PoolDrainLifecycle.PHASE));
	}

	@Test
	void closesAPoolThatNeverStartedWithoutASummaryLine(CapturedOutput output) {
		this.runner.run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			context.close();
			assertThat(pool.isClosed()).isTrue();
			assertThat(output).doesNotContain("db-pool: pool 'db-pool-pool' drained");
		});
	}

	@Test
	void timeoutBinds() {
		this.runner.withPropertyValues("app.db.pool.shutdown.timeout=5s")
			.run((context) -> assertThat(context.getBean(PoolDrainLifecycle.class).getTimeout())
				.isEqualTo(Duration.ofSeconds(5)));
	}

	@Test
	void timeoutVariableIsInSeconds() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_SHUTDOWN_TIMEOUT_SECS=45"))
			.run((context) -> assertThat(context.getBean(PoolDrainLifecycle.class).getTimeout())
				.isEqualTo(Duration.ofSeconds(45)));
	}

	@Test
	void zeroTimeoutIsAllowed() {
		this.runner.withPropertyValues("app.db.pool.shutdown.timeout=0")
			.run((context) -> assertThat(context.getBean(PoolDrainLifecycle.class).getTimeout()).isZero());
	}

	@Test
	void negativeTimeoutFailsNamingPropertyValueAndWhatIsAllowed() {
		this.runner.withPropertyValues("app.db.pool.shutdown.timeout=-1s").run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.shutdown.timeout='-1s'")
				.contains("property source 'test'")
				.contains("Allowed: 0 (close at once) or a positive duration");
			assertThat(failure.getAction()).startsWith("Change app.db.pool.shutdown.timeout to 0 (close at once)");
		});
	}

	@Test
	void negativeTimeoutVariableFailsNamingTheVariable() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_SHUTDOWN_TIMEOUT_SECS=-5")).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.shutdown.timeout")
				.contains("DB_SHUTDOWN_TIMEOUT_SECS='-5' (environment variable)");
			assertThat(failure.getAction()).startsWith("Change DB_SHUTDOWN_TIMEOUT_SECS");
		});
	}

	@Test
	void timeoutVariableThatIsNotANumberFailsNamingTheVariable() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_SHUTDOWN_TIMEOUT_SECS=30s"))
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("DB_SHUTDOWN_TIMEOUT_SECS='30s' (environment variable)")
				.contains("a whole number of seconds"));
	}

	@Test
	void switchedOff() {
		this.runner.withPropertyValues("app.db.pool.shutdown.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(HikariDataSource.class)
				.doesNotHaveBean(PoolDrainLifecycle.class));
	}

	@Test
	void drainsSpringBootsOwnPoolWhenDbPoolIsDisabled() {
		this.runner.withPropertyValues("app.db.pool.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(HikariDataSource.class)
				.hasSingleBean(PoolDrainLifecycle.class));
	}

	@Test
	void drainsTheApplicationsOwnPool() {
		this.runner.withUserConfiguration(UserPoolConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(PoolDrainLifecycle.class));
	}

	@Test
	void backsOffWithoutADataSource() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DbPoolShutdownAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PoolDrainLifecycle.class));
	}

	@Test
	void backsOffWithoutHikariCp() {
		this.runner.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.withUserConfiguration(PlainDataSourceConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(DataSource.class)
				.doesNotHaveBean(PoolDrainLifecycle.class));
	}

	@Test
	void backsOffForTheUsersOwnLifecycle() {
		this.runner.withUserConfiguration(UserLifecycleConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(PoolDrainLifecycle.class)
				.hasBean("userDrainLifecycle"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserPoolConfiguration {

		@Bean
		HikariDataSource userPool() {
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(TestDatabase.get().jdbcUrl());
			return pool;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainDataSourceConfiguration {

		@Bean
		DataSource plainDataSource() {
			return new SimpleDriverDataSource();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserLifecycleConfiguration {

		@Bean
		PoolDrainLifecycle userDrainLifecycle(ConfigurableApplicationContext context) {
			return new PoolDrainLifecycle(context, Duration.ofSeconds(1));
		}

	}

}
