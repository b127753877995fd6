package dev.dbpool.server;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.metrics.ServerViewMeterBinder;
import dev.dbpool.settings.PostgresLimits;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerView} against a real PostgreSQL, read directly rather than on
 * the monitor's thread: a failing streak, its recovery, the gauges before and after a
 * read, and closing.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerViewTests {

	private static final ServerViewSettings SETTINGS = new ServerViewSettings(Duration.ofSeconds(1),
			Duration.ofSeconds(30), Duration.ofMinutes(5));

	@Test
	void warnsOncePerFailingStreakAndSaysWhenItWorksAgain(CapturedOutput output) {
		try (HikariDataSource pool = pool("view-failing"); ServerView view = view(pool)) {
			// Nothing listens on port 1: refused at once.
			pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/" + TestDatabase.DATABASE);
			for (int i = 0; i < 3; i++) {
				assertThat(view.sample()).isNull();
			}
			assertThat(view.current()).isNull();
			assertThat(view.latest()).isNull();
			assertThat(view.failure()).satisfies((failure) -> {
				assertThat(failure.inARow()).isEqualTo(3);
				assertThat(failure.message()).startsWith("08001 ");
			});
			assertThat(output.getOut().split("cannot read the server", -1)).hasSize(2);
			assertThat(output.getOut()).contains(
					"db-pool: the server view of pool '" + pool.getPoolName() + "' cannot read the server: 08001 ");
			pool.setJdbcUrl(TestDatabase.get().jdbcUrl());
			assertThat(view.sample()).isNotNull();
			assertThat(view.failure()).isNull();
			assertThat(view.current()).isSameAs(view.latest());
			assertThat(output.getOut()).contains(
					"db-pool: the server view of pool '" + pool.getPoolName() + "' works again after 3 failed reads");
		}
	}

	@Test
	void gaugesAreNaNUntilAReadSucceedsAndWhileReadsFail() {
		try (HikariDataSource pool = pool("view-gauges"); ServerView view = view(pool)) {
			MeterRegistry registry = new SimpleMeterRegistry();
			new ServerViewMeterBinder(view).bindTo(registry);
			assertThat(registry.get(ServerViewMeterBinder.CONNECTIONS_MAX).gauge().value()).isNaN();
			assertThat(registry.get(ServerViewMeterBinder.TRANSACTION_OLDEST).timeGauge().value()).isNaN();
			ServerActivity activity = view.sample();
			assertThat(activity).isNotNull();
			assertThat(registry.get(ServerViewMeterBinder.CONNECTIONS_MAX).gauge().value())
				.isEqualTo(activity.maxConnections());
			assertThat(registry.get(ServerViewMeterBinder.CONNECTIONS_USED).gauge().value())
				.isEqualTo(activity.total());
			for (String state : ServerActivity.STATES) {
				assertThat(registry.get(ServerViewMeterBinder.CONNECTIONS)
					.tag("pool", pool.getPoolName())
					.tag(ServerViewMeterBinder.STATE_TAG, state)
					.gauge()
					.value()).as(state).isZero();
			}
			assertThat(registry.get(ServerViewMeterBinder.QUERY_LONGEST).timeGauge().value()).isZero();
			pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/" + TestDatabase.DATABASE);
			view.close();
			try (ServerView failing = view(pool)) {
				MeterRegistry other = new SimpleMeterRegistry();
				new ServerViewMeterBinder(failing).bindTo(other);
				assertThat(failing.sample()).isNull();
				assertThat(other.get(ServerViewMeterBinder.CONNECTIONS_USED).gauge().value()).isNaN();
			}
		}
	}

	@Test
	void keepsOneConnectionOpenBetweenReadsAndClosesIt() throws Exception {
		try (HikariDataSource pool = pool("view-close")) {
			String side = PostgresLimits.sideApplicationName(applicationName(pool), ServerView.PURPOSE);
			ServerView view = view(pool);
			view.sample();
			view.sample();
			assertThat(ServerSessions.named(side)).isOne();
			view.close();
			assertThat(view.sample()).isNull();
			assertThat(ServerSessions.awaitNone(side, Duration.ofSeconds(5))).isZero();
		}
	}

	// Side connections opened from the pool's current settings, as db-pool's own are.
	private static ServerView view(HikariDataSource pool) {
		String name = applicationName(pool);
		return new ServerView(pool.getPoolName(), name, (purpose) -> {
			Properties properties = new Properties();
			properties.putAll(pool.getDataSourceProperties());
			properties.setProperty("ApplicationName", PostgresLimits.sideApplicationName(name, purpose));
			properties.setProperty("user", pool.getUsername());
			if (pool.getPassword() != null) {
				properties.setProperty("password", pool.getPassword());
			}
			return DriverManager.getConnection(pool.getJdbcUrl(), properties);
		}, SETTINGS);
	}

	private static String applicationName(HikariDataSource pool) {
		return pool.getDataSourceProperties().getProperty("ApplicationName");
	}

	private static HikariDataSource pool(String test) {
		TestDatabase database = TestDatabase.get();
		String name = test + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(database.jdbcUrl());
		pool.setUsername(database.username());
		pool.setPassword(database.password());
		pool.setPoolName(name + "-pool");
		pool.addDataSourceProperty("ApplicationName", name);
		pool.addDataSourceProperty("connectTimeout", "2");
		return pool;
	}

}
