package dev.dbpool.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.ReplicaFallback;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read replica's pool as {@code app.db.pool.replicas.*} configures it: there only
 * with a URL, its settings its own where given and the primary's otherwise, bad values
 * failing start-up by name, and the application still injecting one {@code DataSource}.
 * No connection is opened: the pools are built, not started.
 */
class DbPoolReplicaAutoConfigurationTests {

	private static final String REPLICA_URL = "jdbc:postgresql://standby.example:5433/app";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl(), "spring.datasource.username=app",
				"spring.datasource.password=secret-primary", "spring.application.name=orders",
				"app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off");

	@Test
	void withoutAReplicaUrlNothingChanges() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE)
				.getBean(DataSource.class)
				.isInstanceOf(DbPoolDataSource.class);
			assertThat(context.getBean(PoolSettings.class).replica()).isNull();
		});
	}

	@Test
	void anEmptyReplicaUrlConfiguresNoReplica() {
		this.runner.withPropertyValues("app.db.pool.replicas.url=")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE)
				.getBean(DataSource.class)
				.isInstanceOf(DbPoolDataSource.class));
	}

	@Test
	void theApplicationKeepsInjectingOneDataSourceThatRoutesReadOnlyWorkToTheReplica() {
		this.runner
			.withConfiguration(AutoConfigurations.of(JdbcTemplateAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class))
			.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(JdbcTemplate.class);
				DataSource dataSource = context.getBean(DataSource.class);
				assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
				assertThat(DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, DbPoolDataSource.class))
					.isNotNull()
					.isNotSameAs(context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE));
				DbPoolDataSource replica = context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE,
						DbPoolDataSource.class);
				assertThat(replica.getJdbcUrl()).isEqualTo(REPLICA_URL);
				assertThat(replica.isReadOnly()).isTrue();
				assertThat(replica.getUsername()).isEqualTo("app");
				assertThat(replica.getPassword()).isEqualTo("secret-primary");
				assertThat(replica.guard(ReadReplica.class)).isNotNull();
				// The primary's settings stay the bean.
				assertThat(context.getBean(PoolSettings.class).poolName()).isEqualTo("orders-pool");
			});
	}

	@Test
	void theReplicaHasThePrimarysSettingsExceptThoseItSets() {
		this.runner
			.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL, "app.db.pool.max-connections=12",
					"app.db.pool.acquire-timeout=3s", "app.db.pool.statement-timeout=20s",
					"spring.datasource.hikari.keepalive-time=90000", "app.db.pool.replicas.max-connections=6",
					"app.db.pool.replicas.statement-timeout=2m", "app.db.pool.replicas.max-lag=10s",
					"app.db.pool.replicas.fallback=fail", "app.db.pool.replicas.required=true",
					"app.db.pool.monitor.server-interval=5s")
			.run((context) -> {
				DbPoolDataSource replica = context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE,
						DbPoolDataSource.class);
				PoolSettings settings = replica.getSettings();
				assertThat(settings.poolName()).isEqualTo("orders-pool-replica");
				assertThat(settings.applicationName()).isEqualTo("orders-replica");
				assertThat(settings.maxConnections()).isEqualTo(6);
				assertThat(settings.minConnections()).isEqualTo(5);
				assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(settings.keepaliveTime()).isEqualTo(Duration.ofSeconds(90));
				assertThat(settings.statementTimeout()).isEqualTo(Duration.ofMinutes(2));
				// Derived from the replica's own statement timeout, not the primary's.
				assertThat(settings.socketTimeout()).isEqualTo(Duration.ofSeconds(125));
				assertThat(settings.source("app.db.pool.replicas.max-connections").name())
					.isEqualTo("app.db.pool.replicas.max-connections");
				assertThat(settings.source("app.db.pool.replicas.acquire-timeout").name())
					.isEqualTo("app.db.pool.acquire-timeout");
				assertThat(settings.replica()).isEqualTo(new PoolSettings.Replica("orders-pool", ReplicaFallback.FAIL,
						Duration.ofSeconds(10), true, Duration.ofSeconds(5)));
				assertThat(replica.getMaximumPoolSize()).isEqualTo(6);
				assertThat(replica.getDataSourceProperties().getProperty("options"))
					.contains("statement_timeout=120000");
				assertThat(replica.getDataSourceProperties().getProperty("ApplicationName"))
					.isEqualTo("orders-replica");
				DbPoolDataSource primary = DataSourceUnwrapper.unwrap(context.getBean(DataSource.class),
						HikariConfigMXBean.class, DbPoolDataSource.class);
				assertThat(primary.getMaximumPoolSize()).isEqualTo(12);
				assertThat(primary.getDataSourceProperties().getProperty("options"))
					.contains("statement_timeout=20000");
			});
	}

	@Test
	void thePrimarysMinConnectionsAboveTheReplicasMaxIsLoweredToIt() {
		this.runner
			.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL, "app.db.pool.min-connections=8",
					"app.db.pool.replicas.max-connections=3")
			.run((context) -> {
				PoolSettings settings = context
					.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE, DbPoolDataSource.class)
					.getSettings();
				assertThat(settings.minConnections()).isEqualTo(3);
				assertThat(settings.source("app.db.pool.replicas.min-connections").source())
					.startsWith("derived from app.db.pool.replicas.max-connections");
			});
	}

	@Test
	void theReplicasOwnCredentialsWinOverThePrimarys() {
		this.runner
			.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL, "app.db.pool.replicas.username=reader",
					"app.db.pool.replicas.password=secret-reader", "app.db.pool.replicas.pool-name=reads",
					"app.db.pool.replicas.application-name=orders-reads")
			.run((context) -> {
				DbPoolDataSource replica = context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE,
						DbPoolDataSource.class);
				assertThat(replica.getUsername()).isEqualTo("reader");
				assertThat(replica.getPassword()).isEqualTo("secret-reader");
				assertThat(replica.getPoolName()).isEqualTo("reads");
				assertThat(replica.getSettings().applicationName()).isEqualTo("orders-reads");
				assertThat(replica.getSettings()).asString().doesNotContain("secret");
			});
	}

	@Test
	void aUrlOfSeveralHostsSpreadsTheConnectionsOverThem() {
		this.runner.withPropertyValues("app.db.pool.replicas.url=jdbc:postgresql://s1:5432,s2:5433/app")
			.run((context) -> assertThat(
					context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE, HikariDataSource.class)
						.getDataSourceProperties()
						.getProperty("loadBalanceHosts"))
				.isEqualTo("true"));
	}

	@Test
	void backsOffWithTheApplicationsOwnDataSource() {
		this.runner.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL)
			.withBean("dataSource", DataSource.class, SimpleDriverDataSource::new)
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE)
				.getBean(DataSource.class)
				.isInstanceOf(SimpleDriverDataSource.class));
	}

	@Test
	void backsOffWhenDbPoolIsSwitchedOff() {
		this.runner.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL, "app.db.pool.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE));
	}

	@Test
	void withLazyConnectionFetchTheDataSourceIsOneProxy() {
		this.runner
			.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL, "spring.datasource.connection-fetch=lazy")
			.run((context) -> {
				LazyConnectionDataSourceProxy proxy = context.getBean(LazyConnectionDataSourceProxy.class);
				assertThat(proxy.getTargetDataSource()).isInstanceOf(DbPoolDataSource.class);
			});
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			app.db.pool.replicas.max-connections | 0     | a whole number, at least 1
			app.db.pool.replicas.min-connections | -1    | a whole number, at least 0
			app.db.pool.replicas.acquire-timeout | 100ms | at least 250ms (HikariCP's floor)
			app.db.pool.replicas.statement-timeout | -1s | 0 (no limit) or a positive duration
			app.db.pool.replicas.connect-timeout | 1500ms | a whole number of seconds, at least 1s
			app.db.pool.replicas.max-lag         | 0s    | a positive duration, e.g. 10s
			app.db.pool.replicas.max-waiting     | 0     | a whole number, at least 1
			""")
	void outOfRangeReplicaValueFailsNamingTheReplicasProperty(String property, String value, String allowed) {
		DbPoolInvalidConfigurationTests.assertFailsNamingPropertyValueAndWhatIsAllowed(
				this.runner.withPropertyValues("app.db.pool.replicas.url=" + REPLICA_URL), property, value, allowed);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			mysql://reader:secret-url@standby/app
			jdbc:mysql://standby/app?password=secret-url
			""")
	void aUrlThatIsNotPostgresqlFailsNamingThePropertyNeverThePassword(String url) {
		this.runner.withPropertyValues("app.db.pool.replicas.url=" + url).run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("app.db.pool.replicas.url")
				.contains("a PostgreSQL URL of the replica")
				.doesNotContain("secret-url");
			assertThat(failure.getAction()).contains("app.db.pool.replicas.url").doesNotContain("secret-url");
		});
	}

}
