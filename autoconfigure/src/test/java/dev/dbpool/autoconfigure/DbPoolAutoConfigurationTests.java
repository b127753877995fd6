package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DbPoolAutoConfiguration}: conditions, back-off, binding, defaults and
 * profiles. The pool opens no connection: HikariCP starts it on the first borrow; only
 * the start-up budget check reads the test database once.
 */
class DbPoolAutoConfigurationTests {

	private final String url = TestDatabase.get().jdbcUrl();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + this.url, "spring.datasource.username=postgres",
				"spring.application.name=orders");

	@Test
	void defaultsTuneHikariAndThePostgresqlDriver() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(HikariDataSource.class).hasSingleBean(DbPoolProperties.class);
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getJdbcUrl()).isEqualTo(this.url);
			assertThat(pool.getUsername()).isEqualTo("postgres");
			assertThat(pool.getPoolName()).isEqualTo("orders-pool");
			assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
			assertThat(pool.getMinimumIdle()).isEqualTo(5);
			assertThat(pool.getConnectionTimeout()).isEqualTo(10_000);
			assertThat(pool.getIdleTimeout()).isEqualTo(600_000);
			assertThat(pool.getMaxLifetime()).isEqualTo(1_800_000);
			assertThat(pool.getKeepaliveTime()).isEqualTo(120_000);
			assertThat(pool.getValidationTimeout()).isEqualTo(5_000);
			assertThat(pool.getLeakDetectionThreshold()).isZero();
			Properties driver = pool.getDataSourceProperties();
			assertThat(driver).containsEntry("connectTimeout", "10")
				.containsEntry("loginTimeout", "10")
				.containsEntry("socketTimeout", "35")
				.containsEntry("ApplicationName", "orders")
				.containsEntry("preparedStatementCacheQueries", "128")
				.containsEntry("options", "-c statement_timeout=30000 -c idle_in_transaction_session_timeout=300000");
			assertThat(pool.isRunning()).as("no connection opened yet").isFalse();
		});
	}

	@Test
	void everyPropertyBindsOntoThePool() {
		this.runner
			.withPropertyValues("app.db.pool.max-connections=12", "app.db.pool.min-connections=3",
					"app.db.pool.acquire-timeout=4s", "app.db.pool.idle-timeout=2m", "app.db.pool.max-lifetime=20m",
					"app.db.pool.keepalive-time=1m", "app.db.pool.validation-timeout=2s",
					"app.db.pool.leak-detection-threshold=20s", "app.db.pool.connect-timeout=3s",
					"app.db.pool.socket-timeout=90s", "app.db.pool.statement-timeout=1m",
					"app.db.pool.idle-in-transaction-timeout=30s", "app.db.pool.lock-timeout=2s",
					"app.db.pool.statement-cache-size=64", "app.db.pool.application-name=orders-api",
					"app.db.pool.pool-name=primary")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getPoolName()).isEqualTo("primary");
				assertThat(pool.getMaximumPoolSize()).isEqualTo(12);
				assertThat(pool.getMinimumIdle()).isEqualTo(3);
				assertThat(pool.getConnectionTimeout()).isEqualTo(4_000);
				assertThat(pool.getIdleTimeout()).isEqualTo(120_000);
				assertThat(pool.getMaxLifetime()).isEqualTo(1_200_000);
				assertThat(pool.getKeepaliveTime()).isEqualTo(60_000);
				assertThat(pool.getValidationTimeout()).isEqualTo(2_000);
				assertThat(pool.getLeakDetectionThreshold()).isEqualTo(20_000);
				assertThat(pool.getDataSourceProperties()).containsEntry("connectTimeout", "3")
					.containsEntry("loginTimeout", "3")
					.containsEntry("socketTimeout", "90")
					.containsEntry("ApplicationName", "orders-api")
					.containsEntry("preparedStatementCacheQueries", "64")
					.containsEntry("options",
							"-c statement_timeout=60000 -c idle_in_transaction_session_timeout=30000 -c lock_timeout=2000");
			});
	}

	@Test
	void oltpProfilePresetsTheOltpValues() {
		this.runner.withPropertyValues("app.db.pool.profile=oltp").run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(50);
			assertThat(pool.getMinimumIdle()).isEqualTo(10);
			assertThat(pool.getConnectionTimeout()).isEqualTo(2_000);
			assertThat(pool.getIdleTimeout()).isEqualTo(300_000);
			assertThat(pool.getMaxLifetime()).isEqualTo(1_800_000);
			// The default 5s liveness test would outlast a 2s acquire timeout.
			assertThat(pool.getValidationTimeout()).isEqualTo(1_000);
			assertThat(pool.getDataSourceProperties()).containsEntry("socketTimeout", "10")
				.containsEntry("options", "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=300000");
		});
	}

	@Test
	void batchProfilePresetsTheBatchValues() {
		this.runner.withPropertyValues("app.db.pool.profile=batch").run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
			assertThat(pool.getMinimumIdle()).isEqualTo(2);
			assertThat(pool.getConnectionTimeout()).isEqualTo(30_000);
			assertThat(pool.getMaxLifetime()).isEqualTo(7_200_000);
			assertThat(pool.getIdleTimeout()).isEqualTo(600_000);
			assertThat(pool.getValidationTimeout()).isEqualTo(5_000);
			// No statement timeout, so no derived socket timeout either.
			assertThat(pool.getDataSourceProperties()).containsEntry("socketTimeout", "0")
				.containsEntry("options", "-c statement_timeout=0 -c idle_in_transaction_session_timeout=300000");
		});
	}

	@Test
	void microserviceProfilePresetsTheMicroserviceValues() {
		this.runner.withPropertyValues("app.db.pool.profile=MICROSERVICE").run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(5);
			assertThat(pool.getMinimumIdle()).isEqualTo(1);
			assertThat(pool.getConnectionTimeout()).isEqualTo(3_000);
			assertThat(pool.getIdleTimeout()).isEqualTo(60_000);
			assertThat(pool.getValidationTimeout()).isEqualTo(1_500);
			assertThat(pool.getDataSourceProperties()).containsEntry("options",
					"-c statement_timeout=10000 -c idle_in_transaction_session_timeout=300000");
		});
	}

	@Test
	void explicitSettingsWinOverTheProfile() {
		this.runner
			.withPropertyValues("app.db.pool.profile=oltp", "app.db.pool.max-connections=30",
					"app.db.pool.statement-timeout=7s")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(30);
				assertThat(pool.getMinimumIdle()).isEqualTo(10);
				assertThat(pool.getConnectionTimeout()).isEqualTo(2_000);
				assertThat(pool.getDataSourceProperties().getProperty("options")).contains("statement_timeout=7000");
			});
	}

	@Test
	void environmentVariableAliasWinsOverTheProfile() {
		this.runner.withPropertyValues("app.db.pool.profile=microservice")
			.withInitializer(EnvironmentVariables.of("DB_MAX_CONNECTIONS=8"))
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(8));
	}

	@Test
	void hikariKeyForAnOwnedSettingIsHonouredWhenAppDbPoolDoesNotSetIt() {
		this.runner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=7").run((context) -> {
			assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(7);
		});
	}

	@Test
	void hikariKeyForAnOwnedSettingWinsOverTheProfile() {
		this.runner.withPropertyValues("app.db.pool.profile=oltp", "spring.datasource.hikari.connection-timeout=4000")
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getConnectionTimeout())
				.isEqualTo(4_000));
	}

	@Test
	void hikariKeyThatAgreesWithAppDbPoolIsAccepted() {
		this.runner.withPropertyValues("app.db.pool.max-connections=9", "spring.datasource.hikari.maximum-pool-size=9")
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(9));
	}

	@Test
	void hikariKeyThatDisagreesWithAppDbPoolFailsNamingBoth() {
		this.runner.withPropertyValues("app.db.pool.max-connections=9", "spring.datasource.hikari.maximum-pool-size=30")
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription()).contains("app.db.pool.max-connections='9'")
					.contains("spring.datasource.hikari.maximum-pool-size='30'");
				assertThat(failure.getAction()).contains("spring.datasource.hikari.maximum-pool-size");
			});
	}

	@Test
	void hikariKeysDbPoolDoesNotOwnStillApply() {
		this.runner
			.withPropertyValues("spring.datasource.hikari.auto-commit=false",
					"spring.datasource.hikari.connection-init-sql=SET search_path TO app",
					"spring.datasource.hikari.data-source-properties.reWriteBatchedInserts=true")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.isAutoCommit()).isFalse();
				assertThat(pool.getConnectionInitSql()).isEqualTo("SET search_path TO app");
				assertThat(pool.getDataSourceProperties()).containsEntry("reWriteBatchedInserts", "true")
					.containsEntry("ApplicationName", "orders");
			});
	}

	@Test
	void urlParameterThatDisagreesWithAppDbPoolFailsNamingBoth() {
		this.runner
			.withPropertyValues("spring.datasource.url=" + this.url + "?ApplicationName=legacy",
					"app.db.pool.application-name=orders-api")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.application-name='orders-api'")
				.contains("ApplicationName='legacy' (parameter of the JDBC URL)"));
	}

	@Test
	void urlParameterForAnOwnedSettingIsHonouredWhenAppDbPoolDoesNotSetIt() {
		this.runner.withPropertyValues("spring.datasource.url=" + this.url + "?connectTimeout=4").run((context) -> {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getDataSourceProperties()).containsEntry("connectTimeout", "4")
				.containsEntry("loginTimeout", "4");
		});
	}

	@Test
	void startupOptionsInTheUrlAreKeptAndMergedWithDbPoolSettings() {
		this.runner
			.withPropertyValues("spring.datasource.url=" + this.url + "?sslmode=disable&options=-c%20search_path%3Dapp")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				// A URL parameter would override the driver property, so it moves into
				// it.
				assertThat(pool.getJdbcUrl()).isEqualTo(this.url + "?sslmode=disable");
				assertThat(pool.getDataSourceProperties()).containsEntry("options",
						"-c search_path=app -c statement_timeout=30000 -c idle_in_transaction_session_timeout=300000");
			});
	}

	@Test
	void statementTimeoutInUrlOptionsIsHonouredWhenAppDbPoolDoesNotSetIt() {
		this.runner.withPropertyValues("spring.datasource.url=" + this.url + "?options=-c%20statement_timeout%3D2s")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getDataSourceProperties())
					.containsEntry("options", "-c statement_timeout=2000 -c idle_in_transaction_session_timeout=300000")
					.containsEntry("socketTimeout", "7");
			});
	}

	@Test
	void settingsAreOneBeanThatTellsWhereEachValueCameFrom() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_MAX_CONNECTIONS=12"))
			.withPropertyValues("spring.datasource.url=" + this.url + "?options=-c%20statement_timeout%3D2s",
					"app.db.pool.profile=oltp", "app.db.pool.budget.mode=off")
			.run((context) -> {
				PoolSettings settings = context.getBean(PoolSettings.class);
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(settings).isSameAs(context.getBean(DbPoolDataSource.class).getSettings());
				assertThat(settings.maxConnections()).isEqualTo(pool.getMaximumPoolSize()).isEqualTo(12);
				assertThat(settings.source(PoolSettings.MAX_CONNECTIONS).describe())
					.isEqualTo("DB_MAX_CONNECTIONS='12' (environment variable)");
				assertThat(settings.source("app.db.pool.min-connections").source()).isEqualTo("profile oltp");
				assertThat(settings.statementTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(settings.source("app.db.pool.statement-timeout").source())
					.isEqualTo("options parameter of the JDBC URL");
				assertThat(settings.source("app.db.pool.socket-timeout").source())
					.isEqualTo("derived from statement-timeout: 5s more");
				assertThat(settings.source("app.db.pool.keepalive-time").source()).isEqualTo("default");
				assertThat(settings.clamp()).isNull();
			});
	}

	@Test
	void statementTimeoutInUrlOptionsThatDisagreesWithAppDbPoolFails() {
		this.runner
			.withPropertyValues("spring.datasource.url=" + this.url + "?options=-c%20statement_timeout%3D2s",
					"app.db.pool.statement-timeout=10s")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.statement-timeout='10s'")
				.contains("-c statement_timeout='2s' (options parameter of the JDBC URL)"));
	}

	@Test
	void serviceConnectionDetailsWinOverSpringDatasourceProperties() {
		this.runner.withUserConfiguration(ConnectionDetailsConfiguration.class)
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://elsewhere:5432/other")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://container:15432/app");
				assertThat(pool.getUsername()).isEqualTo("app");
				assertThat(pool.getPassword()).isEqualTo("secret");
				assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
				assertThat(pool.getDataSourceProperties()).containsEntry("ApplicationName", "orders");
			});
	}

	@Test
	void nonPostgresqlUrlGetsThePoolSettingsOnly() {
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:other://host/db",
					"spring.datasource.driver-class-name=org.postgresql.Driver")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
				assertThat(pool.getDataSourceProperties()).isEmpty();
			});
	}

	@Test
	void springDatasourceNameNamesThePoolAsInSpringBoot() {
		this.runner.withPropertyValues("spring.datasource.name=orders-db")
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).getPoolName()).isEqualTo("orders-db"));
	}

	@Test
	void springDatasourceNameThatDisagreesWithPoolNameFails() {
		this.runner.withPropertyValues("spring.datasource.name=orders-db", "app.db.pool.pool-name=primary")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.pool-name='primary'")
				.contains("spring.datasource.name='orders-db'"));
	}

	@Test
	void lazyConnectionFetchWrapsTheTunedPoolAsSpringBootDoes() {
		this.runner.withPropertyValues("spring.datasource.connection-fetch=lazy").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
			HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
			assertThat(pool.getDataSourceProperties()).containsEntry("ApplicationName", "orders");
		});
	}

	@Test
	void eagerConnectionFetchExposesThePoolItself() {
		this.runner.withPropertyValues("spring.datasource.connection-fetch=eager")
			.run((context) -> assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
	}

	@Test
	void backsOffWhenTheUserDefinesADataSource() {
		this.runner.withUserConfiguration(UserDataSourceConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(DataSource.class).doesNotHaveBean(HikariDataSource.class);
			assertThat(context.getBean(DataSource.class)).isInstanceOf(SimpleDriverDataSource.class);
		});
	}

	@Test
	void backsOffWhenDisabledLeavingSpringBootsPool() {
		this.runner.withPropertyValues("app.db.pool.enabled=false", "app.db.pool.max-connections=3").run((context) -> {
			assertThat(context).hasSingleBean(HikariDataSource.class).doesNotHaveBean(DbPoolProperties.class);
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			// Spring Boot's defaults: HikariCP's own sizes, no driver settings.
			assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
			assertThat(pool.getDataSourceProperties()).doesNotContainKey("ApplicationName");
		});
	}

	@Test
	void backsOffWhenAnotherPoolTypeIsChosen() {
		this.runner.withPropertyValues("spring.datasource.type=" + SimpleDriverDataSource.class.getName())
			.run((context) -> assertThat(context).doesNotHaveBean(HikariDataSource.class)
				.hasSingleBean(SimpleDriverDataSource.class));
	}

	@Test
	void backsOffWithoutHikari() {
		this.runner.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolProperties.class));
	}

	@Test
	void backsOffWithoutThePostgresqlDriver() {
		this.runner.withClassLoader(new FilteredClassLoader(org.postgresql.Driver.class))
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolProperties.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserDataSourceConfiguration {

		@Bean
		SimpleDriverDataSource userDataSource() {
			return new SimpleDriverDataSource(new org.postgresql.Driver(), TestDatabase.get().jdbcUrl());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionDetailsConfiguration {

		@Bean
		JdbcConnectionDetails jdbcConnectionDetails() {
			return new JdbcConnectionDetails() {

				@Override
				public String getJdbcUrl() {
					return "jdbc:postgresql://container:15432/app";
				}

				@Override
				public String getUsername() {
					return "app";
				}

				@Override
				public String getPassword() {
					return "secret";
				}

			};
		}

	}

}
