package dev.dbpool.benchmarks.jmh;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.datasource.DbPoolDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * The cost of db-pool's guards on the borrow path, alone: the
 * {@code getConnection()}/{@code close()} cycle on a bare {@link HikariDataSource} and on
 * db-pool's {@link DbPoolDataSource}, configured alike, with no meters, so that the only
 * difference is the guard. db-pool's pool is built as an application gets it, by its
 * auto-configuration alone in a context of its own (no monitor, no budget check).
 * <ul>
 * <li>{@code bare}: HikariCP, the reference for the next two.</li>
 * <li>{@code guards-off}: db-pool's pool with no guard on the borrow path (the
 * default).</li>
 * <li>{@code max-waiting}: db-pool's pool with the waiter cap ({@code max-waiting=50}),
 * never reached here, so it measures the admission check alone.</li>
 * <li>{@code bare-leak-detection}: HikariCP with its leak detection on (threshold 60s),
 * the reference for the next one: HikariCP itself then pays a stack capture and a
 * scheduled task per borrow.</li>
 * <li>{@code leak-counting}: db-pool's pool with the same threshold, counting leaks.</li>
 * </ul>
 * The physical connections of db-pool's pool are opened through its connection source
 * (with the reconnect retry), as in an application; that is off the borrow path. Three
 * warm-up iterations: nothing but the pool is on the measured path.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GuardCostBenchmark {

	private static final Duration LEAK_THRESHOLD = Duration.ofSeconds(60);

	/**
	 * The pool under test, shared by all benchmark threads.
	 */
	@State(Scope.Benchmark)
	public static class Pool {

		@Param({ "bare", "guards-off", "max-waiting", "bare-leak-detection", "leak-counting" })
		public String variant = "guards-off";

		@Param("20")
		public int maxConnections = 20;

		@Param("5")
		public int minConnections = 5;

		HikariDataSource dataSource;

		ConfigurableApplicationContext context;

		@Setup(Level.Trial)
		public void open() throws SQLException {
			HikariDataSource pool = this.variant.startsWith("bare") ? bare() : dbPool();
			try (Connection connection = pool.getConnection()) {
				if (!connection.isValid(5)) {
					throw new IllegalStateException("The pool lent an invalid connection");
				}
			}
			if (pool instanceof DbPoolDataSource guarded && this.variant.equals("leak-counting")
					&& guarded.leaks() == null) {
				throw new IllegalStateException("db-pool's pool does not count leaks: nothing to measure");
			}
			this.dataSource = pool;
		}

		private HikariDataSource bare() {
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(BenchmarkDatabase.URL);
			pool.setUsername(BenchmarkDatabase.USERNAME);
			pool.setPassword(BenchmarkDatabase.PASSWORD);
			pool.setMaximumPoolSize(this.maxConnections);
			pool.setMinimumIdle(Math.min(this.minConnections, this.maxConnections));
			pool.setPoolName(this.variant);
			if (this.variant.contains("leak")) {
				pool.setLeakDetectionThreshold(LEAK_THRESHOLD.toMillis());
			}
			return pool;
		}

		private HikariDataSource dbPool() {
			List<String> properties = new ArrayList<>(List.of("spring.datasource.url=" + BenchmarkDatabase.URL,
					"spring.datasource.username=" + BenchmarkDatabase.USERNAME,
					"spring.datasource.password=" + BenchmarkDatabase.PASSWORD,
					"app.db.pool.max-connections=" + this.maxConnections,
					"app.db.pool.min-connections=" + Math.min(this.minConnections, this.maxConnections),
					"app.db.pool.pool-name=" + this.variant, "app.db.pool.budget.mode=off",
					"app.db.pool.monitor.enabled=false"));
			if (this.variant.equals("max-waiting")) {
				properties.add("app.db.pool.max-waiting=50");
			}
			if (this.variant.contains("leak")) {
				properties.add("app.db.pool.leak-detection-threshold=" + LEAK_THRESHOLD.toSeconds() + "s");
			}
			this.context = new SpringApplicationBuilder(DbPoolOnly.class).web(WebApplicationType.NONE)
				.logStartupInfo(false)
				.properties(properties.toArray(String[]::new))
				.run();
			return this.context.getBean(DbPoolDataSource.class);
		}

		@TearDown(Level.Trial)
		public void close() {
			this.dataSource.close();
			if (this.context != null) {
				this.context.close();
			}
		}

	}

	/**
	 * db-pool's pool and nothing else.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DbPoolAutoConfiguration.class)
	static class DbPoolOnly {

	}

	@Benchmark
	public void getConnectionAndClose(Pool pool, Blackhole blackhole) throws SQLException {
		try (Connection connection = pool.dataSource.getConnection()) {
			blackhole.consume(connection);
		}
	}

}
