package dev.dbpool.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolSizing;
import dev.dbpool.settings.PoolerMode;
import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.autoconfigure.DbPoolProperties;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every alias in {@link EnvironmentAlias#ALL} reaches the pool, in its own unit.
 */
class EnvironmentAliasMappingTests {

	private static final String ALIASES_TESTED = "DB_MAX_CONNECTIONS DB_POOL_MAX DATABASE_POOL_MAX DB_MIN_CONNECTIONS "
			+ "DB_POOL_MIN DATABASE_POOL_MIN DB_ACQUIRE_TIMEOUT_SECS DATABASE_POOL_ACQUIRE_TIMEOUT DB_IDLE_TIMEOUT_SECS "
			+ "DATABASE_POOL_IDLE_TIMEOUT DB_MAX_LIFETIME_SECS DATABASE_STATEMENT_TIMEOUT "
			+ "DB_MONITOR_INTERVAL_SECS DB_SHUTDOWN_TIMEOUT_SECS DB_POOL_INSTANCES DB_POOLER DB_PASSWORD_FILE "
			+ "DATABASE_REPLICA_URL DB_POOL_SIZING";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|',
			textBlock = """
					DB_MAX_CONNECTIONS            | 33     | maximumPoolSize | 33
					DB_POOL_MAX                   | 34     | maximumPoolSize | 34
					DATABASE_POOL_MAX             | 35     | maximumPoolSize | 35
					DB_MIN_CONNECTIONS            | 2      | minimumIdle     | 2
					DB_POOL_MIN                   | 3      | minimumIdle     | 3
					DATABASE_POOL_MIN             | 4      | minimumIdle     | 4
					DB_ACQUIRE_TIMEOUT_SECS       | 7      | connectionTimeout | 7000
					DATABASE_POOL_ACQUIRE_TIMEOUT | 1500   | connectionTimeout | 1500
					DB_IDLE_TIMEOUT_SECS          | 120    | idleTimeout     | 120000
					DATABASE_POOL_IDLE_TIMEOUT    | 45000  | idleTimeout     | 45000
					DB_MAX_LIFETIME_SECS          | 900    | maxLifetime     | 900000
					DATABASE_STATEMENT_TIMEOUT    | 4000   | options         | -c statement_timeout=4000 -c idle_in_transaction_session_timeout=300000
					""")
	void aliasSetsItsPropertyInItsUnit(String variable, String value, String setting, String expected) {
		this.runner.withInitializer(EnvironmentVariables.of(variable + "=" + value))
			.run((context) -> assertThat(read(context.getBean(HikariDataSource.class), setting)).isEqualTo(expected));
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			DB_MONITOR_INTERVAL_SECS | 7  | PT7S
			DB_SHUTDOWN_TIMEOUT_SECS | 45 | PT45S
			""")
	void aliasOfASettingOutsideThePoolSetsItsPropertyInSeconds(String variable, String value, String expected) {
		this.runner.withInitializer(EnvironmentVariables.of(variable + "=" + value)).run((context) -> {
			DbPoolProperties properties = context.getBean(DbPoolProperties.class);
			Duration bound = variable.startsWith("DB_MONITOR") ? properties.getMonitor().getInterval()
					: properties.getShutdown().getTimeout();
			assertThat(bound).hasToString(expected);
		});
	}

	@Test
	void instancesAliasSetsTheNumberOfInstances() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOL_INSTANCES=4"))
			.run((context) -> assertThat(context.getBean(DbPoolProperties.class).getInstances()).isEqualTo(4));
	}

	@ParameterizedTest(name = "DB_POOLER={0}")
	@CsvSource({ "pgbouncer-transaction, PGBOUNCER_TRANSACTION", "PGBOUNCER_SESSION, PGBOUNCER_SESSION", "none, NONE" })
	void poolerAliasSetsThePoolersMode(String value, PoolerMode expected) {
		// An explicit mode: start-up does not look for a pooler.
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOLER=" + value))
			.run((context) -> assertThat(context.getBean(PoolSettings.class).pooler().mode()).isEqualTo(expected));
	}

	@ParameterizedTest(name = "DB_POOL_SIZING={0}")
	@CsvSource({ "adaptive, ADAPTIVE, 2", "FIXED, FIXED, 5" })
	void sizingAliasSetsTheSizingMode(String value, PoolSizing expected, int minConnections) {
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOL_SIZING=" + value))
			.withPropertyValues("app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off")
			.run((context) -> {
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.sizing()).isEqualTo(expected);
				assertThat(settings.source(PoolSettings.SIZING).name()).isEqualTo("DB_POOL_SIZING");
				// Adaptive sizing lowers the default min-connections to its floor.
				assertThat(settings.minConnections()).isEqualTo(minConnections);
			});
	}

	@Test
	void poolerAliasThatAgreesWithThePropertyIsAccepted() {
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOLER=pgbouncer_session"))
			.withPropertyValues("app.db.pool.pooler.mode=pgbouncer-session")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void passwordFileAliasSetsThePathNeverThePassword(@TempDir Path folder) throws IOException {
		Path file = Files.writeString(folder.resolve("password"), "not-the-password\n");
		this.runner.withInitializer(EnvironmentVariables.of("DB_PASSWORD_FILE=" + file))
			.withPropertyValues("app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off")
			.run((context) -> {
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.passwordFile()).isNotNull();
				assertThat(settings.passwordFile().value()).isEqualTo(file.toString());
				assertThat(settings.passwordFile().name()).isEqualTo("DB_PASSWORD_FILE");
				assertThat(settings).asString().doesNotContain("not-the-password");
			});
	}

	@Test
	void replicaUrlAliasGivesTheReplicaPoolItsUrlAndCredentialsNeverShown() {
		this.runner
			.withInitializer(EnvironmentVariables
				.of("DATABASE_REPLICA_URL=postgres://reader:not-the-password@replica.example:5433/app?sslmode=disable"))
			.withPropertyValues("app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off")
			.run((context) -> {
				HikariDataSource replica = context.getBean("dbPoolReplicaDataSource", HikariDataSource.class);
				assertThat(replica.getJdbcUrl())
					.isEqualTo("jdbc:postgresql://replica.example:5433/app?sslmode=disable");
				assertThat(replica.getUsername()).isEqualTo("reader");
				assertThat(replica.getPassword()).isEqualTo("not-the-password");
				assertThat(replica.isReadOnly()).isTrue();
				PoolSettings settings = ((DbPoolDataSource) replica).getSettings();
				assertThat(settings).asString().doesNotContain("not-the-password");
				assertThat(context.getBean(PoolSettings.class)).asString().doesNotContain("not-the-password");
			});
	}

	@Test
	void everyAliasIsCoveredAbove() {
		Set<String> all = EnvironmentAlias.ALL.stream().map(EnvironmentAlias::variable).collect(Collectors.toSet());
		assertThat(Set.of(ALIASES_TESTED.split(" "))).isEqualTo(all);
	}

	private static String read(HikariDataSource pool, String setting) {
		Function<HikariDataSource, Object> getter = switch (setting) {
			case "maximumPoolSize" -> HikariDataSource::getMaximumPoolSize;
			case "minimumIdle" -> HikariDataSource::getMinimumIdle;
			case "connectionTimeout" -> HikariDataSource::getConnectionTimeout;
			case "idleTimeout" -> HikariDataSource::getIdleTimeout;
			case "maxLifetime" -> HikariDataSource::getMaxLifetime;
			default -> (p) -> p.getDataSourceProperties().getProperty(setting);
		};
		return String.valueOf(getter.apply(pool));
	}

}
