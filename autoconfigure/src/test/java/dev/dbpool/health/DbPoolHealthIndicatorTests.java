package dev.dbpool.health;

import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.TestDataSources;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.monitor.MonitorSettings;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.server.ServerView;
import dev.dbpool.server.ServerViewSettings;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolHealthIndicator} without a database: pools that have not
 * started, closed pools, several pools, a server view that cannot read the server, and
 * what the details never show.
 */
class DbPoolHealthIndicatorTests {

	private static final MonitorSettings SETTINGS = new MonitorSettings(Duration.ofSeconds(1), 0.7, 0.85, 5);

	@Test
	void poolThatHasNotStartedIsUpWithItsSettingsAndNoSecret() {
		try (HikariDataSource pool = pool("orders-pool")) {
			Health health = indicator(Map.of("dataSource", pool)).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("pool", "orders-pool")
				.containsEntry("state", "not started")
				.containsEntry("active", 0)
				.containsEntry("max", 3)
				.containsEntry("min", 1)
				.containsEntry("utilization", 0.0)
				.containsEntry("level", "ok")
				.containsEntry("warnUtilization", 0.7)
				.containsEntry("criticalUtilization", 0.85)
				.containsEntry("exhaustedGrace", "5s")
				.doesNotContainKeys("reason", "acquireTimeouts", "saturatedFor", "lastConnectionCreatedSeenAt");
			assertThat(health.toString()).doesNotContain("hunter2").doesNotContain("jdbc:");
		}
	}

	@Test
	void closedPoolIsDown() {
		HikariDataSource pool = pool("closed-pool");
		pool.close();
		Health health = indicator(Map.of("dataSource", pool)).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("state", "closed").containsEntry("reason", "the pool is closed");
	}

	@Test
	void severalPoolsAreReportedByNameAndAnyDownPoolMakesItDown() {
		try (HikariDataSource orders = pool("orders-pool")) {
			HikariDataSource closed = pool("reports-pool");
			closed.close();
			Map<String, HikariDataSource> beans = new LinkedHashMap<>();
			beans.put("ordersDataSource", orders);
			beans.put("reportsDataSource", closed);
			Health health = indicator(beans).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsOnlyKeys("pools", "fileDescriptors");
			@SuppressWarnings("unchecked")
			Map<String, Map<String, Object>> pools = (Map<String, Map<String, Object>>) health.getDetails()
				.get("pools");
			assertThat(pools).containsOnlyKeys("orders-pool", "reports-pool");
			assertThat(pools.get("orders-pool")).containsEntry("state", "not started").doesNotContainKey("reason");
			assertThat(pools.get("reports-pool")).containsEntry("reason", "the pool is closed");
		}
	}

	@Test
	void poolsSharingANameAreToldApartByTheirBeanNames() {
		try (HikariDataSource first = pool("same"); HikariDataSource second = pool("same")) {
			Map<String, HikariDataSource> beans = new LinkedHashMap<>();
			beans.put("firstDataSource", first);
			beans.put("secondDataSource", second);
			assertThat(indicator(beans).health().getDetails().get("pools")).asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsOnlyKeys("same", "secondDataSource");
		}
	}

	@Test
	void eachGuardOfThePoolAddsItsDetailsInOrderWithoutMakingItDown() {
		try (DbPoolDataSource pool = TestDataSources.withGuards("orders-pool", new FakeGuard("first", "over budget"),
				new FakeGuard("second", 2))) {
			Health health = indicator(Map.of("dataSource", pool)).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).doesNotContainKey("reason")
				.containsEntry("first", "over budget")
				.containsEntry("second", 2);
			assertThat(List.copyOf(health.getDetails().keySet())).containsSubsequence("pool", "first", "second");
		}
	}

	@Test
	void serverViewThatCannotReadTheServerIsReportedWithoutMakingItDown() {
		try (HikariDataSource pool = pool("orders-pool");
				ServerView view = new ServerView(pool.getPoolName(), "orders",
						(purpose) -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:1/dbpool_test"),
						new ServerViewSettings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5)))) {
			DbPoolHealthIndicator indicator = new DbPoolHealthIndicator(
					new PoolMonitor(() -> Map.of("dataSource", pool), null, SETTINGS), Duration.ofSeconds(5), view);
			assertThat(indicator.health().getDetails()).as("before the first read").doesNotContainKey("server");
			// Nothing listens on port 1: refused at once.
			view.sample();
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).extractingByKey("server")
				.asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsOnlyKeys("lastFailure", "failingSince")
				.hasEntrySatisfying("lastFailure", (failure) -> assertThat((String) failure)
					.startsWith("08001 Connection to 127.0.0.1:1 refused"));
		}
	}

	private static DbPoolHealthIndicator indicator(Map<String, HikariDataSource> beans) {
		return new DbPoolHealthIndicator(new PoolMonitor(() -> beans, null, SETTINGS), Duration.ofSeconds(5));
	}

	private static HikariDataSource pool(String name) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/dbpool_test?password=hunter2");
		pool.setPassword("hunter2");
		pool.setMaximumPoolSize(3);
		pool.setMinimumIdle(1);
		return pool;
	}

	private record FakeGuard(String key, Object value) implements PoolGuard {

		@Override
		public void putDetails(Map<String, Object> details, Instant now) {
			details.put(this.key, this.value);
		}

		@Override
		public List<GuardMeter<?>> meters() {
			return List.of();
		}

	}

}
