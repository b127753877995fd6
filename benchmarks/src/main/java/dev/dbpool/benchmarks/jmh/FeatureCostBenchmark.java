package dev.dbpool.benchmarks.jmh;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

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

import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The cost per call of db-pool's health check and monitor, in the db-pool context of
 * {@link PoolVariant#DB_POOL}. Spring Boot's own {@code db} indicator
 * ({@code -p indicator=boot-db}), which borrows and validates a connection on each call,
 * is measured beside db-pool's ({@code -p indicator=db-pool}), which should only read the
 * monitor's state.
 * <p>
 * Both features are found at run time by {@link DbPoolFeatures}; where one is missing or
 * switched off, setting up its benchmark fails with "NOT RUN: …", and
 * {@code benchmarks/jmh/run.sh} leaves it out and records the reason (it asks
 * {@link FeatureProbe} first). The monitor's call is {@code PoolMonitor.sampleAll()}: one
 * sample of every pool, what each tick of the monitor does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class FeatureCostBenchmark {

	/**
	 * A health indicator in a running db-pool context.
	 */
	@State(Scope.Benchmark)
	public static class Health {

		@Param({ "db-pool", "boot-db" })
		public String indicator = "db-pool";

		@Param("20")
		public int maxConnections = 20;

		HealthIndicator healthIndicator;

		private ConfigurableApplicationContext context;

		@Setup(Level.Trial)
		public void open() {
			this.context = FeatureCostBenchmark.startDbPoolContext(this.maxConnections);
			this.healthIndicator = switch (this.indicator) {
				case "db-pool" -> DbPoolFeatures.dbPoolHealthIndicator(this.context);
				case "boot-db" -> DbPoolFeatures.bootDbHealthIndicator(this.context);
				default -> throw new IllegalArgumentException("Unknown indicator '" + this.indicator + "'");
			};
		}

		@TearDown(Level.Trial)
		public void close() {
			this.context.close();
		}

	}

	/**
	 * db-pool's monitor in a running db-pool context.
	 */
	@State(Scope.Benchmark)
	public static class Monitor {

		@Param(DbPoolFeatures.DEFAULT_MONITOR_METHOD)
		public String monitorMethod = DbPoolFeatures.DEFAULT_MONITOR_METHOD;

		@Param("20")
		public int maxConnections = 20;

		MethodHandle call;

		private ConfigurableApplicationContext context;

		@Setup(Level.Trial)
		public void open() {
			this.context = FeatureCostBenchmark.startDbPoolContext(this.maxConnections);
			this.call = DbPoolFeatures.monitorCall(this.context, this.monitorMethod);
		}

		@TearDown(Level.Trial)
		public void close() {
			this.context.close();
		}

	}

	@Benchmark
	public Object healthCheck(Health health) {
		return health.healthIndicator.health();
	}

	@Benchmark
	public Object monitorCall(Monitor monitor) throws Throwable {
		return monitor.call.invoke();
	}

	static ConfigurableApplicationContext startDbPoolContext(int maxConnections) {
		return PoolVariant
			.startContext(PoolVariant.DB_POOL.contextProperties(maxConnections, Math.min(5, maxConnections)));
	}

}
