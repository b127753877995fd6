package dev.dbpool.benchmarks.jmh;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.retry.RetryPolicy;
import dev.dbpool.datasource.WaiterCappedDataSource;
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

/**
 * The cost of db-pool's guards on the borrow path, alone: the
 * {@code getConnection()}/{@code close()} cycle on a bare {@link HikariDataSource} and on
 * db-pool's {@link DbPoolDataSource}, configured alike, with no Spring and no meters, so
 * that the only difference is the guard.
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
 * warm-up iterations: the pools here have no Spring context to warm up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GuardCostBenchmark {

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

		@Setup(Level.Trial)
		public void open() throws SQLException {
			boolean dbPool = !this.variant.startsWith("bare");
			HikariDataSource pool = !dbPool ? new HikariDataSource()
					: this.variant.equals("max-waiting") ? new WaiterCappedDataSource(50) : new DbPoolDataSource();
			pool.setJdbcUrl(BenchmarkDatabase.URL);
			pool.setUsername(BenchmarkDatabase.USERNAME);
			pool.setPassword(BenchmarkDatabase.PASSWORD);
			pool.setMaximumPoolSize(this.maxConnections);
			pool.setMinimumIdle(Math.min(this.minConnections, this.maxConnections));
			pool.setPoolName(this.variant);
			if (this.variant.contains("leak")) {
				pool.setLeakDetectionThreshold(Duration.ofSeconds(60).toMillis());
			}
			if (pool instanceof DbPoolDataSource guarded) {
				guarded.countLeaks();
				PhysicalConnectionSource.install(guarded,
						new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2)));
			}
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

		@TearDown(Level.Trial)
		public void close() {
			this.dataSource.close();
		}

	}

	@Benchmark
	public void getConnectionAndClose(Pool pool, Blackhole blackhole) throws SQLException {
		try (Connection connection = pool.dataSource.getConnection()) {
			blackhole.consume(connection);
		}
	}

}
