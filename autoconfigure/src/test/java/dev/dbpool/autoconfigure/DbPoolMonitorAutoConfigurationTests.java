package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.monitor.MonitorSettings;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolMonitorAutoConfiguration}: conditions, back-off, binding and the
 * monitor's thread. No connection is opened.
 */
class DbPoolMonitorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl(), "spring.application.name=orders");

	@Test
	void monitorsThePoolOnADaemonThreadOfItsOwnWithTheDefaults() throws InterruptedException {
		Set<Thread> before = monitorThreads();
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(PoolMonitor.class);
			PoolMonitor monitor = context.getBean(PoolMonitor.class);
			assertThat(monitor.settings()).isEqualTo(new MonitorSettings(Duration.ofSeconds(30), 0.7, 0.85, 20));
			assertThat(monitor.pools()).extracting(PoolState::name).containsExactly("orders-pool");
			assertThat(monitor.isRunning()).isTrue();
			Set<Thread> started = monitorThreads();
			started.removeAll(before);
			assertThat(started).singleElement().satisfies((thread) -> assertThat(thread.isDaemon()).isTrue());
		});
		Set<Thread> left = monitorThreads();
		left.removeAll(before);
		// The executor has terminated when the context's close returns; its thread may
		// take a moment more to end.
		for (Thread thread : left) {
			thread.join(2000);
		}
		assertThat(left).as("thread stopped with the context").noneMatch(Thread::isAlive);
	}

	@Test
	void disabledMonitorHasNoBeanAndNoThread() {
		Set<Thread> before = monitorThreads();
		this.runner.withPropertyValues("app.db.pool.monitor.enabled=false").run((context) -> {
			assertThat(context).hasSingleBean(HikariDataSource.class).doesNotHaveBean(PoolMonitor.class);
			Set<Thread> started = monitorThreads();
			started.removeAll(before);
			assertThat(started).isEmpty();
		});
	}

	@Test
	void settingsBind() {
		this.runner
			.withPropertyValues("app.db.pool.monitor.interval=2s", "app.db.pool.monitor.warn-utilization=0.5",
					"app.db.pool.monitor.critical-utilization=0.9", "app.db.pool.monitor.history-size=5")
			.run((context) -> assertThat(context.getBean(PoolMonitor.class).settings())
				.isEqualTo(new MonitorSettings(Duration.ofSeconds(2), 0.5, 0.9, 5)));
	}

	@Test
	void intervalAliasIsInSeconds() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_MONITOR_INTERVAL_SECS=7"))
			.run((context) -> assertThat(context.getBean(PoolMonitor.class).settings().interval())
				.isEqualTo(Duration.ofSeconds(7)));
	}

	@Test
	void monitorsSpringBootsOwnPoolWhenDbPoolIsDisabled() {
		this.runner.withPropertyValues("app.db.pool.enabled=false", "spring.datasource.name=boots")
			.run((context) -> assertThat(context.getBean(PoolMonitor.class).pools()).extracting(PoolState::name)
				.containsExactly("boots"));
	}

	@Test
	void monitorsEveryPoolTheApplicationDefines() {
		this.runner.withUserConfiguration(TwoPools.class)
			.run((context) -> assertThat(context.getBean(PoolMonitor.class).pools())
				.extracting(PoolState::beanName, PoolState::name)
				.containsExactly(org.assertj.core.groups.Tuple.tuple("ordersDataSource", "orders"),
						org.assertj.core.groups.Tuple.tuple("reportsDataSource", "reports")));
	}

	@Test
	void backsOffForTheApplicationsOwnMonitor() {
		this.runner
			.withBean("myMonitor", PoolMonitor.class,
					() -> new PoolMonitor(java.util.Map::of, null,
							new MonitorSettings(Duration.ofSeconds(5), 0.5, 0.6, 1)))
			.run((context) -> assertThat(context).hasSingleBean(PoolMonitor.class).hasBean("myMonitor"));
	}

	@Test
	void noDataSourceMeansNoMonitor() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DbPoolMonitorAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PoolMonitor.class));
	}

	@Test
	void noHikariOnTheClassPathMeansNoMonitor() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DbPoolMonitorAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.withBean(DataSource.class, SimpleDriverDataSource::new)
			.run((context) -> assertThat(context).doesNotHaveBean(PoolMonitor.class));
	}

	static Set<Thread> monitorThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(PoolMonitor.THREAD_NAME) && thread.isAlive())
			.collect(Collectors.toSet());
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPools {

		@Bean
		HikariDataSource ordersDataSource() {
			return pool("orders");
		}

		@Bean
		HikariDataSource reportsDataSource() {
			return pool("reports");
		}

		private static HikariDataSource pool(String name) {
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(TestDatabase.get().jdbcUrl());
			pool.setPoolName(name);
			return pool;
		}

	}

}
