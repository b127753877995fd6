package dev.dbpool.monitor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.diagnostics.Durations;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolMonitor} without a database: which pools it finds, that a sample
 * never throws, and when periodic tasks run.
 */
class PoolMonitorTests {

	private static final MonitorSettings SETTINGS = new MonitorSettings(Duration.ofSeconds(1), 0.7, 0.85, 5);

	@Test
	void findsEveryHikariPoolOnceBehindWrappersAndSkipsOtherDataSources() {
		try (HikariDataSource first = pool("first-pool"); HikariDataSource second = new HikariDataSource()) {
			Map<String, DataSource> beans = new LinkedHashMap<>();
			beans.put("dataSource", new LazyConnectionDataSourceProxy(first));
			beans.put("rawFirst", first);
			beans.put("plain", new SimpleDriverDataSource());
			beans.put("secondDataSource", second);
			PoolMonitor monitor = new PoolMonitor(() -> beans, null, SETTINGS);
			assertThat(monitor.pools()).extracting(PoolState::beanName)
				.containsExactly("dataSource", "secondDataSource");
			assertThat(monitor.pools()).extracting(PoolState::name).containsExactly("first-pool", "secondDataSource");
			assertThat(monitor.pool("first-pool")).isSameAs(monitor.pools().get(0));
			assertThat(monitor.pool("secondDataSource")).isSameAs(monitor.pools().get(1));
			assertThat(monitor.pool("none")).isNull();
		}
	}

	@Test
	void poolsAreLookedUpOnceOnFirstUse() {
		int[] lookups = new int[1];
		try (HikariDataSource pool = pool("once-pool")) {
			PoolMonitor monitor = new PoolMonitor(() -> {
				lookups[0]++;
				return Map.of("dataSource", pool);
			}, null, SETTINGS);
			assertThat(lookups[0]).isZero();
			monitor.sampleAll();
			monitor.pools();
			assertThat(lookups[0]).isOne();
			assertThat(monitor.pools().get(0).latest().state()).isEqualTo(PoolSnapshot.State.NOT_STARTED);
		}
	}

	@Test
	void sampleNeverThrows() {
		PoolMonitor monitor = new PoolMonitor(() -> {
			throw new IllegalStateException("no beans");
		}, null, SETTINGS);
		monitor.sampleAll();
	}

	@Test
	void periodicTaskRunsOnTheMonitorsThreadAfterItsInitialDelay() throws Exception {
		PoolMonitor monitor = new PoolMonitor(Map::of, null, SETTINGS);
		CountDownLatch atOnce = new CountDownLatch(1);
		AtomicReference<String> thread = new AtomicReference<>();
		AtomicInteger afterAnHour = new AtomicInteger();
		monitor.addPeriodicTask("at once", Duration.ZERO, Duration.ofHours(1), () -> {
			thread.set(Thread.currentThread().getName());
			atOnce.countDown();
		});
		monitor.addPeriodicTask("after an hour", Duration.ofHours(1), afterAnHour::incrementAndGet);
		monitor.start();
		try {
			assertThat(atOnce.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(thread.get()).isEqualTo(PoolMonitor.THREAD_NAME);
			assertThat(afterAnHour.get()).isZero();
		}
		finally {
			monitor.stop();
		}
	}

	@Test
	void formatsDurationsForLogLinesAndDetails() {
		assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
		assertThat(Durations.format(Duration.ofMillis(1530))).isEqualTo("1.53s");
		assertThat(Durations.format(Duration.ofMillis(5000))).isEqualTo("5s");
		assertThat(Durations.format(Duration.ofMillis(12_900))).isEqualTo("12.9s");
		assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
		assertThat(Durations.format(Duration.ofSeconds(570))).isEqualTo("9m30s");
	}

	private static HikariDataSource pool(String name) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		return pool;
	}

}
