package dev.dbpool.benchmarks.jmh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

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
 * The connection hot path, on a bare HikariCP pool, on Spring Boot's own pool and on the
 * {@code DataSource} db-pool gives an application ({@link PoolVariant}): the
 * {@code getConnection()}/{@code close()} cycle, and a prepared {@code SELECT 1} round
 * trip (borrow, prepare from the driver's statement cache, execute, read, close).
 * <p>
 * Each variant runs in its own forked JVM of the same JMH run, so JIT profiles of one
 * pool never shape another's code; the report divides the scores of one run. The thread
 * count comes from the command line ({@code -t 1}, {@code -t 2}, {@code -t 8}; see
 * {@code benchmarks/jmh/run.sh}), the pool size from {@code -p maxConnections=…} (default
 * 20, db-pool's default), the same for all variants.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class BorrowPathBenchmark {

	/**
	 * The pool under test, shared by all benchmark threads.
	 */
	@State(Scope.Benchmark)
	public static class Pool {

		@Param({ "bare", "no-op-tracker", "boot-default", "db-pool" })
		public String variant = "db-pool";

		@Param("20")
		public int maxConnections = 20;

		@Param("5")
		public int minConnections = 5;

		DataSource dataSource;

		private PoolVariant.OpenPool pool;

		@Setup(Level.Trial)
		public void open() throws Exception {
			this.pool = PoolVariant.of(this.variant)
				.open(this.maxConnections, Math.min(this.minConnections, this.maxConnections));
			this.pool.check();
			this.dataSource = this.pool.dataSource();
		}

		@TearDown(Level.Trial)
		public void close() throws Exception {
			this.pool.close();
		}

	}

	@Benchmark
	public void getConnectionAndClose(Pool pool, Blackhole blackhole) throws SQLException {
		try (Connection connection = pool.dataSource.getConnection()) {
			blackhole.consume(connection);
		}
	}

	@Benchmark
	public int preparedSelectOne(Pool pool) throws SQLException {
		try (Connection connection = pool.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1");
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

}
