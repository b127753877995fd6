package dev.dbpool.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.settings.RetryPolicy;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The pool db-pool builds opens its connections through a
 * {@link PhysicalConnectionSource}, which counts them against a real PostgreSQL and tells
 * a server it cannot reach.
 */
class PhysicalConnectionSourceIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.min-connections=2", "app.db.pool.max-connections=3");

	@Test
	void countsEveryConnectionThePoolOpens() {
		this.runner.run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
			assertThat(source).isNotNull();
			assertThat(source.getOpened()).isZero();
			assertThat(source.getLastOpened()).isNull();
			Instant before = Instant.now();
			try (Connection first = pool.getConnection();
					Connection second = pool.getConnection();
					Connection third = pool.getConnection()) {
				assertThat(first.isValid(1) && second.isValid(1) && third.isValid(1)).isTrue();
			}
			assertThat(source.getOpened()).isEqualTo(3);
			assertThat(source.getFailed()).isZero();
			assertThat(source.getLastOpened()).isAfterOrEqualTo(before);
			// A retired connection is replaced: one more opened.
			pool.getHikariPoolMXBean().softEvictConnections();
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (source.getOpened() < 4 && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(source.getOpened()).isGreaterThanOrEqualTo(4);
		});
	}

	@Test
	void tellsWhyTheServerCannotBeReached() {
		// Nothing listens on port 1 of the loopback address.
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/dbpool_test",
					"spring.datasource.hikari.initialization-fail-timeout=-1", "app.db.pool.acquire-timeout=500ms",
					"app.db.pool.connect-timeout=1s")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
				assertThat(source).isNotNull();
				assertThatExceptionOfType(SQLException.class).isThrownBy(pool::getConnection);
				assertThat(source.getOpened()).isZero();
				assertThat(source.getFailed()).isPositive();
				assertThat(source.getFailedInARow()).isEqualTo(source.getFailed());
				assertThat(source.getLastFailed()).isNotNull();
				assertThat(source.getLastFailure()).startsWith("08001 ");
			});
	}

	@Test
	void leavesAPoolThatHasStartedAlone() throws SQLException {
		TestDatabase database = TestDatabase.get();
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setJdbcUrl(database.jdbcUrl());
			pool.setUsername(database.username());
			pool.setPassword(database.password());
			pool.getConnection().close();
			assertThat(PhysicalConnectionSource.install(pool, RetryPolicy.NONE)).isNull();
			assertThat(pool.getDataSource()).isNull();
		}
	}

}
