package dev.dbpool.env;

import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.testsupport.EnvironmentVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Where the operators' environment variables rank, proved with a real
 * {@link SpringApplication} (so db-pool's post-processor and failure analyzer run as they
 * are registered): they beat {@code application.yml} and lose to system properties and
 * command-line arguments.
 */
@ExtendWith(OutputCaptureExtension.class)
class EnvironmentPrecedenceTests {

	@Test
	void applicationYmlAppliesWhenNothingElseIsSet() {
		try (ConfigurableApplicationContext context = run(EnvironmentVariables.of(), Map.of())) {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(11);
			assertThat(pool.getConnectionTimeout()).isEqualTo(3000);
			assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://yml-host:5432/from_yml");
		}
	}

	@Test
	void aliasVariablesBeatApplicationYml() {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("DB_MAX_CONNECTIONS=12", "DB_ACQUIRE_TIMEOUT_SECS=6"), Map.of())) {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(12);
			assertThat(pool.getConnectionTimeout()).isEqualTo(6000);
		}
	}

	@Test
	void springsOwnVariableNameBeatsApplicationYml() {
		try (ConfigurableApplicationContext context = run(EnvironmentVariables.of("APP_DB_POOL_MAX_CONNECTIONS=15"),
				Map.of())) {
			assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(15);
		}
	}

	@Test
	void systemPropertyBeatsAliasVariable() {
		try (ConfigurableApplicationContext context = run(EnvironmentVariables.of("DB_MAX_CONNECTIONS=12"),
				Map.of("app.db.pool.max-connections", "13"))) {
			assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(13);
		}
	}

	@Test
	void commandLineArgumentBeatsAliasVariable() {
		try (ConfigurableApplicationContext context = run(EnvironmentVariables.of("DB_MAX_CONNECTIONS=12"), Map.of(),
				"--app.db.pool.max-connections=14")) {
			assertThat(context.getBean(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(14);
		}
	}

	@Test
	void databaseUrlBeatsTheUrlInApplicationYml(CapturedOutput output) {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("DATABASE_URL=postgres://bob:s3cret@db-host:6543/orders?sslmode=require"),
				Map.of())) {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://db-host:6543/orders?sslmode=require");
			assertThat(pool.getUsername()).isEqualTo("bob");
			assertThat(pool.getPassword()).isEqualTo("s3cret");
		}
		assertThat(output)
			.contains("using DATABASE_URL for spring.datasource.url (jdbc:postgresql://db-host:6543/orders")
			.doesNotContain("s3cret");
	}

	@Test
	void springDatasourceUrlVariableBeatsDatabaseUrl(CapturedOutput output) {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("SPRING_DATASOURCE_URL=jdbc:postgresql://spring-host:5432/db",
						"DATABASE_URL=postgres://bob:s3cret@db-host:6543/orders"),
				Map.of())) {
			HikariDataSource pool = context.getBean(HikariDataSource.class);
			assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://spring-host:5432/db");
			assertThat(pool.getUsername()).isEqualTo("yml_user");
		}
		assertThat(output).contains("DATABASE_URL is set but not used: SPRING_DATASOURCE_URL (environment variable)")
			.doesNotContain("s3cret");
	}

	@Test
	void commandLineUrlBeatsDatabaseUrl() {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("DATABASE_URL=postgres://bob@db-host/orders"), Map.of(),
				"--spring.datasource.url=jdbc:postgresql://cli-host/db")) {
			assertThat(context.getBean(HikariDataSource.class).getJdbcUrl()).isEqualTo("jdbc:postgresql://cli-host/db");
		}
	}

	@Test
	void emptyCommandLineUrlCountsAsNotSetSoDatabaseUrlApplies(CapturedOutput output) {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("DATABASE_URL=postgres://bob@db-host/orders"), Map.of(),
				"--spring.datasource.url=")) {
			assertThat(context.getBean(HikariDataSource.class).getJdbcUrl())
				.isEqualTo("jdbc:postgresql://db-host/orders");
		}
		assertThat(output).contains("db-pool: spring.datasource.url (")
			.contains(") is empty, so it counts as not set")
			.contains("using DATABASE_URL for spring.datasource.url")
			.doesNotContain("DATABASE_URL is set but not used");
	}

	@Test
	void emptySpringDatasourceUrlVariableCountsAsNotSetSoDatabaseUrlApplies() {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("SPRING_DATASOURCE_URL=", "DATABASE_URL=postgres://bob@db-host/orders"),
				Map.of())) {
			assertThat(context.getBean(HikariDataSource.class).getJdbcUrl())
				.isEqualTo("jdbc:postgresql://db-host/orders");
		}
	}

	@Test
	void emptySystemPropertyUrlCountsAsNotSetSoDatabaseUrlApplies() {
		try (ConfigurableApplicationContext context = run(
				EnvironmentVariables.of("DATABASE_URL=postgres://bob@db-host/orders"),
				Map.of("spring.datasource.url", ""))) {
			assertThat(context.getBean(HikariDataSource.class).getJdbcUrl())
				.isEqualTo("jdbc:postgresql://db-host/orders");
		}
	}

	@Test
	void badVariableStopsStartUpWithAFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(EnvironmentVariables.of("DB_MAX_CONNECTIONS=abc"), Map.of()));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value for app.db.pool.max-connections: DB_MAX_CONNECTIONS='abc' (environment variable). "
					+ "Allowed: a whole number, e.g. 20.")
			.contains("Action:")
			.contains(
					"Change DB_MAX_CONNECTIONS to a whole number, e.g. 20, or remove it and set app.db.pool.max-connections.");
	}

	@Test
	void outOfRangeValueInApplicationYmlNamesTheFileAndLine(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(EnvironmentVariables.of(), Map.of(),
				"--spring.config.location=classpath:/precedence/application.yml,"
						+ "classpath:/precedence/invalid.yml"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value for app.db.pool.min-connections: app.db.pool.min-connections='-2' "
					+ "(class path resource [precedence/invalid.yml] - 4:24)");
	}

	@Test
	void unknownProfileStopsStartUpListingTheProfiles(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(EnvironmentVariables.of(), Map.of(), "--app.db.pool.profile=olap"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("app.db.pool.profile")
			.contains("\"olap\"")
			.contains("OLTP")
			.contains("BATCH")
			.contains("MICROSERVICE");
	}

	@Test
	void passwordNeverReachesTheLogOrTheFailure(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(EnvironmentVariables
			.of("DATABASE_URL=postgres://bob:t0p-secret@db-host:6543/orders", "DB_MIN_CONNECTIONS=50"), Map.of()));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("DB_MIN_CONNECTIONS='50'")
			.doesNotContain("t0p-secret");
	}

	private ConfigurableApplicationContext run(EnvironmentVariables variables, Map<String, Object> systemProperties,
			String... args) {
		StandardEnvironment environment = variables.toEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, new MapPropertySource(
					StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, systemProperties));
		SpringApplication application = new SpringApplication(TestApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setEnvironment(environment);
		application.setDefaultProperties(Map.of("spring.config.location", "classpath:/precedence/application.yml"));
		return application.run(args);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class })
	static class TestApplication {

	}

}
