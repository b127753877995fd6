package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.dbpool.shutdown.PoolDrainLifecycle;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Integration tests for {@link PoolDrainLifecycle} against a real PostgreSQL: closing the
 * context waits for borrowed connections to come back (up to
 * {@code app.db.pool.shutdown.timeout}), then closes every HikariCP pool and logs one
 * line per pool.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolShutdownIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolShutdownAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.min-connections=1", "app.db.pool.max-connections=2");

	@Test
	void closeWaitsForABorrowedConnectionThenClosesThePool(CapturedOutput output) {
		String name = ServerSide.uniqueName("it-drain-wait");
		this.runner.withPropertyValues("app.db.pool.application-name=" + name).run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			Connection held = pool.getConnection();
			// Before the give-back starts: it cannot come back sooner than 1.5s after.
			long start = System.nanoTime();
			CompletableFuture<Void> giveBack = CompletableFuture.runAsync(() -> {
				sleep(1500);
				close(held);
			});
			context.close();
			Duration took = since(start);
			assertThat(giveBack).isDone();
			assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1400)).isLessThan(Duration.ofSeconds(10));
			assertThat(pool.isClosed()).isTrue();
			assertThat(output).containsPattern("INFO .*db-pool: pool '" + name
					+ "-pool' drained in \\d+(\\.\\d+)?m?s, 0 connections still active, " + opened(pool)
					+ " opened over its life; closed");
			assertThat(ServerSessions.awaitNone(name, Duration.ofSeconds(5))).as("sessions left on the server")
				.isZero();
		});
	}

	@Test
	void drainGivesUpAfterTheTimeoutAndClosesThePoolAnyway(CapturedOutput output) throws Exception {
		String name = ServerSide.uniqueName("it-drain-timeout");
		this.runner.withPropertyValues("app.db.pool.application-name=" + name, "app.db.pool.shutdown.timeout=500ms")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				Connection held = pool.getConnection();
				try {
					long start = System.nanoTime();
					context.close();
					Duration took = since(start);
					assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(450)).isLessThan(Duration.ofSeconds(4));
					assertThat(pool.isClosed()).isTrue();
					assertThat(held.isValid(1)).as("the held connection, aborted by the close").isFalse();
					assertThat(output).containsPattern("WARN .*db-pool: pool '" + name
							+ "-pool' gave up draining after \\d+(\\.\\d+)?m?s \\(app.db.pool.shutdown.timeout=500ms\\), "
							+ "1 connection still active, " + opened(pool)
							+ " opened over its life; closed, aborting it");
					assertThat(ServerSessions.awaitNone(name, Duration.ofSeconds(5))).as("sessions left on the server")
						.isZero();
				}
				finally {
					held.close();
				}
			});
	}

	@Test
	void poolsServeUntilSpringsExecutorsHaveStoppedAndCloseBeforeLowerPhases() {
		this.runner.withPropertyValues("app.db.pool.application-name=" + ServerSide.uniqueName("it-drain-phase"))
			.withUserConfiguration(PhaseProbesConfiguration.class)
			.run((context) -> {
				List<String> stops = context.getBean(PhaseProbesConfiguration.class).stops;
				context.close();
				assertThat(stops).containsExactly("2147481599: borrowed", "1073741823: borrowed",
						"1073740798: pool closed");
			});
	}

	@Test
	void suspendablePoolRefusesNewBorrowsWhileDrainingAndLeavesNoCallerWaiting(CapturedOutput output) throws Exception {
		String name = ServerSide.uniqueName("it-drain-suspend");
		this.runner
			.withPropertyValues("app.db.pool.application-name=" + name,
					"spring.datasource.hikari.allow-pool-suspension=true", "app.db.pool.acquire-timeout=1s",
					"app.db.pool.validation-timeout=500ms")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				Connection held = pool.getConnection();
				HikariPool hikariPool = (HikariPool) pool.getHikariPoolMXBean();
				CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
				while (hikariPool.poolState != HikariPool.POOL_SUSPENDED && System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
				assertThat(hikariPool.poolState).as("pool suspended while draining")
					.isEqualTo(HikariPool.POOL_SUSPENDED);
				CompletableFuture<Connection> lateBorrow = CompletableFuture.supplyAsync(() -> borrow(pool));
				Thread.sleep(500);
				assertThat(lateBorrow).as("a borrow on the suspended pool waits").isNotDone();
				held.close();
				closing.get(10, TimeUnit.SECONDS);
				assertThat(pool.isClosed()).isTrue();
				// Let go when the pool resumes just before it closes: it gets a
				// connection
				// the close aborts, or, had it lost the race to the close, an error.
				Throwable failure = catchThrowable(() -> {
					Connection connection = lateBorrow.get(5, TimeUnit.SECONDS);
					try {
						assertThat(connection.isValid(1)).isFalse();
					}
					finally {
						connection.close();
					}
				});
				if (failure != null) {
					assertThat(failure).hasRootCauseInstanceOf(SQLException.class);
				}
				assertThat(output).contains("db-pool: pool '" + name + "-pool' drained in");
			});
	}

	@Test
	void everyPoolOfTheApplicationIsDrainedAgainstOneDeadline(CapturedOutput output) {
		// Long enough that one deadline (4s) and one per pool (8s) stay far apart on a
		// loaded machine: the drain is over well before 6s with one deadline, and not
		// before 8s with one per pool.
		Duration timeout = Duration.ofSeconds(4);
		Duration oneDeadlineAtMost = timeout.plus(timeout.dividedBy(2));
		this.runner.withUserConfiguration(TwoPoolsConfiguration.class)
			.withPropertyValues("app.db.pool.shutdown.timeout=" + timeout.toSeconds() + "s")
			.run((context) -> {
				HikariDataSource orders = context.getBean("ordersPool", HikariDataSource.class);
				DataSource reports = context.getBean("reportsDataSource", DataSource.class);
				try (Connection heldOrders = orders.getConnection(); Connection heldReports = reports.getConnection()) {
					// The lazy proxy borrows on the first statement.
					heldReports.createStatement().execute("SELECT 1");
					long start = System.nanoTime();
					context.close();
					Duration took = since(start);
					assertThat(took).as("one deadline, not one per pool")
						.isGreaterThanOrEqualTo(timeout)
						.isLessThan(oneDeadlineAtMost);
				}
				assertThat(orders.isClosed()).isTrue();
				assertThat(reports.unwrap(HikariDataSource.class).isClosed()).isTrue();
				assertThat(gaveUpAfter(output, "orders-user-pool")).isBetween(timeout, oneDeadlineAtMost);
				assertThat(gaveUpAfter(output, "reports-user-pool")).isBetween(timeout, oneDeadlineAtMost);
			});
	}

	// How long the drain's WARN line says it waited for a pool (seconds, to the ms).
	private static Duration gaveUpAfter(CapturedOutput output, String pool) {
		Matcher matcher = Pattern.compile("db-pool: pool '" + pool + "' gave up draining after (\\d+(?:\\.\\d+)?)s ")
			.matcher(output.getAll());
		assertThat(matcher.find()).as("WARN line of %s", pool).isTrue();
		return Duration.ofMillis(new BigDecimal(matcher.group(1)).movePointRight(3).longValueExact());
	}

	@Test
	void stopWithoutCloseLeavesThePoolsOpen() {
		this.runner.withPropertyValues("app.db.pool.application-name=" + ServerSide.uniqueName("it-drain-stop"))
			.run((context) -> {
				HikariDataSource dataSource = context.getBean(HikariDataSource.class);
				dataSource.getConnection().close();
				context.getSourceApplicationContext().stop();
				try (Connection connection = dataSource.getConnection()) {
					assertThat(connection.isValid(1)).isTrue();
				}
				assertThat(context.getBean(PoolDrainLifecycle.class).isRunning()).isTrue();
				context.getSourceApplicationContext().start();
				context.close();
				assertThat(dataSource.isClosed()).isTrue();
			});
	}

	private static Connection borrow(DataSource dataSource) {
		try {
			return dataSource.getConnection();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void close(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/**
	 * Lifecycles standing in for the web server's stop phase, Spring's executors and a
	 * lifecycle of a lower phase than the drain's: each records, when it stops, whether
	 * the application's pool still lends it a connection.
	 */
	@Configuration(proxyBeanMethods = false)
	static class PhaseProbesConfiguration {

		final List<String> stops = new CopyOnWriteArrayList<>();

		@Bean
		PhaseProbe webServerStandIn(ObjectProvider<HikariDataSource> pool) {
			return new PhaseProbe(2147481599, pool, this.stops);
		}

		@Bean
		PhaseProbe executorStandIn(ObjectProvider<HikariDataSource> pool) {
			return new PhaseProbe(ExecutorConfigurationSupport.DEFAULT_PHASE, pool, this.stops);
		}

		@Bean
		PhaseProbe lowerPhaseStandIn(ObjectProvider<HikariDataSource> pool) {
			return new PhaseProbe(PoolDrainLifecycle.PHASE - 1, pool, this.stops);
		}

	}

	static class PhaseProbe implements SmartLifecycle {

		private final int phase;

		private final ObjectProvider<HikariDataSource> pool;

		private final List<String> stops;

		private volatile boolean running;

		PhaseProbe(int phase, ObjectProvider<HikariDataSource> pool, List<String> stops) {
			this.phase = phase;
			this.pool = pool;
			this.stops = stops;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
			HikariDataSource pool = this.pool.getObject();
			if (pool.isClosed()) {
				this.stops.add(this.phase + ": pool closed");
				return;
			}
			try (Connection connection = pool.getConnection()) {
				this.stops.add(this.phase + (connection.isValid(1) ? ": borrowed" : ": invalid"));
			}
			catch (SQLException ex) {
				this.stops.add(this.phase + ": " + ex.getMessage());
			}
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPoolsConfiguration {

		@Bean
		HikariDataSource ordersPool() {
			return pool("orders-user-pool");
		}

		@Bean
		DataSource reportsDataSource() {
			return new LazyConnectionDataSourceProxy(pool("reports-user-pool"));
		}

		private static HikariDataSource pool(String name) {
			TestDatabase database = TestDatabase.get();
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(database.jdbcUrl());
			pool.setUsername(database.username());
			pool.setPassword(database.password());
			pool.setPoolName(name);
			pool.setMaximumPoolSize(2);
			pool.setMinimumIdle(0);
			return pool;
		}

	}

	// As the pool's PhysicalConnectionSource counted them, at least the one borrowed.
	private static long opened(HikariDataSource pool) {
		PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
		assertThat(source).isNotNull();
		assertThat(source.getOpened()).isPositive();
		return source.getOpened();
	}

}
