package dev.dbpool.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.metrics.ServerViewMeterBinder;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.server.ServerView;
import dev.dbpool.server.ServerViewSettings;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@link ServerView} in {@link DbPoolMonitorAutoConfiguration} and its
 * meters in {@link DbPoolMetricsAutoConfiguration}: only for the pool db-pool builds,
 * switched off by {@code app.db.pool.monitor.server-enabled}, backing off for the
 * application's own, and the settings it binds.
 */
class DbPoolServerViewAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class,
				DbPoolMetricsAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl(),
				"spring.application.name=" + ServerSide.uniqueName("server-view-config"));

	@Test
	void viewsThePoolDbPoolBuiltWithTheDefaults() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ServerView.class);
			ServerView view = context.getBean(ServerView.class);
			HikariDataSource pool = DataSourceUnwrapper.unwrap(context.getBean(DataSource.class),
					HikariDataSource.class);
			assertThat(view.poolName()).isEqualTo(pool.getPoolName());
			assertThat(view.applicationName()).isEqualTo(pool.getDataSourceProperties().getProperty("ApplicationName"));
			assertThat(view.settings()).isEqualTo(
					new ServerViewSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(5)));
		});
	}

	@Test
	void settingsBind() {
		this.runner
			.withPropertyValues("app.db.pool.monitor.server-interval=5s",
					"app.db.pool.monitor.idle-in-transaction-warning=10s", "app.db.pool.idle-in-transaction-timeout=2m")
			.run((context) -> assertThat(context.getBean(ServerView.class).settings()).isEqualTo(
					new ServerViewSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(2))));
	}

	@Test
	void warnsWithTheServersIdleInTransactionTimeoutHoweverItWasSet() {
		this.runner
			.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl()
					+ "?options=-c%20idle_in_transaction_session_timeout%3D60000")
			.run((context) -> assertThat(context.getBean(ServerView.class).settings().idleInTransactionTimeout())
				.isEqualTo(Duration.ofMinutes(1)));
	}

	@Test
	void viewsThePoolBehindALazyConnectionFetch() {
		this.runner.withPropertyValues("spring.datasource.connection-fetch=lazy")
			.run((context) -> assertThat(context.getBean(ServerView.class).poolName())
				.isEqualTo(DataSourceUnwrapper.unwrap(context.getBean(DataSource.class), HikariDataSource.class)
					.getPoolName()));
	}

	@Test
	void switchedOffByItsPropertyWhileTheMonitorStays() {
		this.runner.withPropertyValues("app.db.pool.monitor.server-enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ServerView.class)
				.doesNotHaveBean(ServerViewMeterBinder.class)
				.hasSingleBean(PoolMonitor.class)
				.hasSingleBean(DbPoolHealthIndicator.class));
	}

	@Test
	void noMonitorMeansNoServerView() {
		this.runner.withPropertyValues("app.db.pool.monitor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ServerView.class));
	}

	@Test
	void noServerViewOfAPoolDbPoolDidNotBuild() {
		this.runner.withPropertyValues("app.db.pool.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(PoolMonitor.class).doesNotHaveBean(ServerView.class));
	}

	@Test
	void backsOffForTheApplicationsOwn() {
		this.runner.withUserConfiguration(OwnServerView.class)
			.run((context) -> assertThat(context).hasSingleBean(ServerView.class).hasBean("myServerView"));
	}

	@Test
	void metersComeWithAMeterRegistryAndSwitchOffWithTheOthers() {
		ApplicationContextRunner withMetrics = this.runner
			.withConfiguration(DbPoolMetricsIntegrationTests.SPRING_BOOT_METRICS);
		withMetrics.run((context) -> assertThat(context).hasSingleBean(ServerViewMeterBinder.class));
		withMetrics.withPropertyValues("app.db.pool.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ServerViewMeterBinder.class)
				.hasSingleBean(ServerView.class));
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ServerViewMeterBinder.class));
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class OwnServerView {

		@org.springframework.context.annotation.Bean
		ServerView myServerView(DataSource dataSource) {
			return new ServerView("mine", "mine", (purpose) -> dataSource.getConnection(),
					new ServerViewSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO));
		}

	}

}
