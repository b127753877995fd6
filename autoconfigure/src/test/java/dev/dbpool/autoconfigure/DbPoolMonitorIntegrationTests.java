package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolSnapshot;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link DbPoolMonitorAutoConfiguration} against a real PostgreSQL:
 * the monitor's own thread samples every HikariCP pool, whoever built it, from HikariCP's
 * counters.
 */
class DbPoolMonitorIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.monitor.interval=1s");

	@Test
	void samplesThePoolDbPoolBuiltOnItsOwnThread() {
		String name = ServerSide.uniqueName("it-monitor-starter");
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.min-connections=1")
			.run((context) -> assertSampledWhileBorrowed(context, name + "-pool"));
	}

	@Test
	void samplesSpringBootsOwnPoolWhenDbPoolIsDisabled() {
		String name = ServerSide.uniqueName("it-monitor-boot");
		this.runner
			.withPropertyValues("app.db.pool.enabled=false", "spring.datasource.name=" + name,
					"spring.datasource.hikari.data-source-properties.ApplicationName=" + name)
			.run((context) -> assertSampledWhileBorrowed(context, name));
	}

	@Test
	void samplesAPoolTheApplicationDefinedItself() {
		this.runner.withUserConfiguration(OwnPool.class)
			.run((context) -> assertSampledWhileBorrowed(context, OwnPool.NAME));
	}

	private static void assertSampledWhileBorrowed(AssertableApplicationContext context, String poolName)
			throws Exception {
		PoolState pool = context.getBean(PoolMonitor.class).pools().get(0);
		assertThat(pool.sample().state()).isEqualTo(PoolSnapshot.State.NOT_STARTED);
		try (Connection connection = context.getBean(DataSource.class).getConnection()) {
			// The monitor's thread, not this one, takes the next samples.
			await().atMost(Duration.ofSeconds(5))
				.until(() -> pool.history().stream().anyMatch((sample) -> sample.active() == 1));
			PoolSnapshot sample = pool.history().get(pool.history().size() - 1);
			assertThat(sample.pool()).isEqualTo(poolName);
			assertThat(sample.state()).isEqualTo(PoolSnapshot.State.RUNNING);
			assertThat(sample.total()).isGreaterThanOrEqualTo(1);
			assertThat(sample.threadsAwaiting()).isZero();
			assertThat(pool.name()).isEqualTo(poolName);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnPool {

		static final String NAME = ServerSide.uniqueName("it-monitor-own");

		@Bean
		HikariDataSource ownDataSource() {
			TestDatabase database = TestDatabase.get();
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(database.jdbcUrl());
			pool.setUsername(database.username());
			pool.setPassword(database.password());
			pool.setPoolName(NAME);
			pool.addDataSourceProperty("ApplicationName", NAME);
			pool.setMaximumPoolSize(2);
			return pool;
		}

	}

}
