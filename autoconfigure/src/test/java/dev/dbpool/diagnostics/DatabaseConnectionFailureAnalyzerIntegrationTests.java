package dev.dbpool.diagnostics;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A start-up whose first connection fails, run as a {@link SpringApplication} against the
 * test server (or an address where no server is), ends in db-pool's failure analysis
 * rather than a stack trace: Spring Boot's analyzers, loaded and ordered as Spring Boot
 * loads them, pick db-pool's, and its report names the server, the database, the user,
 * where the URL came from and what to do, and never a password.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseConnectionFailureAnalyzerIntegrationTests {

	// Per run, so that roles and databases never clash with another run's.
	private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

	@Test
	void unknownHostInDatabaseUrlNamesTheHostPortDatabaseUserAndTheVariable(CapturedOutput output) {
		Startup startup = start(EnvironmentVariables.of("DATABASE_URL=postgres://app:secret@db.invalid:5432/orders"),
				Map.of(), RunnerApplication.class);
		assertThat(startup.description())
			.startsWith("Could not connect to PostgreSQL at db.invalid:5432: " + "the host name db.invalid is unknown.")
			.contains("Host:     db.invalid")
			.contains("Port:     5432")
			.contains("Database: orders")
			.contains("User:     app, from DATABASE_URL (environment variable)")
			.contains("URL:      jdbc:postgresql://db.invalid:5432/orders, from DATABASE_URL (environment variable)")
			.contains("SQLState: 08001 (the client could not connect)")
			.contains("UnknownHostException: db.invalid");
		assertThat(startup.action()).contains("Check the host name db.invalid in DATABASE_URL (environment variable)")
			.contains("DNS");
		// As Spring Boot prints it: the analysis, no stack trace, no password.
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Could not connect to PostgreSQL at db.invalid:5432")
			.doesNotContain("Application run failed")
			.doesNotContain("secret");
		assertThat(startup.description() + startup.action()).doesNotContain("secret");
	}

	@Test
	void refusedConnectionAsksWhetherTheServerIsListeningAndNamesTheFileAndLine() throws IOException {
		int port = freePort();
		Startup startup = start(EnvironmentVariables.of("ORDERS_DB_PASSWORD=hunter2"),
				Map.of("orders.port", port, "app.db.pool.retry.max-attempts", 1), RunnerApplication.class,
				"--spring.config.location=classpath:/connection-failure/application.yml");
		assertThat(startup.description())
			.startsWith("Could not connect to PostgreSQL at 127.0.0.1:" + port + ": the connection was refused.")
			.contains("URL:      jdbc:postgresql://127.0.0.1:" + port + "/orders, from spring.datasource.url "
					+ "(class path resource [connection-failure/application.yml] - 3:10)")
			.contains("User:     orders_app, from spring.datasource.username "
					+ "(class path resource [connection-failure/application.yml] - 4:15)")
			.contains("ConnectException");
		assertThat(startup.action())
			.startsWith("Is the server running and listening on 127.0.0.1:" + port + "? Check the host and port in "
					+ "spring.datasource.url (class path resource [connection-failure/application.yml] - 3:10)");
		assertThat(startup.description() + startup.action()).doesNotContain("hunter2");
	}

	@Test
	void missingRoleThroughJdbcTemplateSuggestsCreatingIt() {
		String role = "no_such_role_" + RUN;
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl(), "spring.datasource.username", role),
				JdbcTemplateApplication.class);
		assertThat(startup.failure()).hasStackTraceContaining("CannotGetJdbcConnectionException");
		assertThat(startup.description()).contains("the role " + role + " does not exist")
			.contains("Database: " + TestDatabase.DATABASE)
			.contains("SQLState: 28000")
			.contains("Message:  role \"" + role + "\" does not exist");
		assertThat(startup.action()).startsWith("Create the role (CREATE ROLE " + role + " LOGIN PASSWORD '…'), "
				+ "or fix the user, from spring.datasource.username (property source 'defaultProperties')");
	}

	@Test
	void roleThatMayNotLogInSuggestsLettingItLogIn() throws SQLException {
		String role = "nologin_" + RUN;
		superuser("CREATE ROLE " + role + " NOLOGIN");
		try {
			Startup startup = start(EnvironmentVariables.of(),
					Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl(), "spring.datasource.username", role),
					RunnerApplication.class);
			assertThat(startup.description()).contains("the role " + role + " is not permitted to log in")
				.contains("SQLState: 28000");
			assertThat(startup.action()).startsWith("Let the role log in (ALTER ROLE " + role + " LOGIN)");
		}
		finally {
			superuser("DROP ROLE IF EXISTS " + role);
		}
	}

	@Test
	void missingDatabaseWhileSqlInitRunsSuggestsCreatingIt() {
		String database = "no_such_db_" + RUN;
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl(database), "spring.datasource.username",
						TestDatabase.get().username(), "spring.sql.init.mode", "always",
						"spring.sql.init.schema-locations", "classpath:/connection-failure/schema.sql"),
				SqlInitApplication.class);
		assertThat(startup.failure()).hasStackTraceContaining("Error creating bean");
		assertThat(startup.description()).contains("the database " + database + " does not exist")
			.contains("Database: " + database)
			.contains("SQLState: 3D000 (no such database)");
		assertThat(startup.action()).startsWith("Create the database (CREATE DATABASE " + database
				+ "), or fix the database name in spring.datasource.url (property source 'defaultProperties')");
	}

	@Test
	void tooManyConnectionsForRoleNamesTheLimitAndTheBudgetCheck() throws SQLException {
		String role = "limit0_" + RUN;
		superuser("CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 0");
		try {
			Startup startup = start(EnvironmentVariables.of("DB_MAX_CONNECTIONS=7"),
					Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl(), "spring.datasource.username", role,
							"app.db.pool.retry.max-attempts", 1),
					RunnerApplication.class);
			assertThat(startup.description()).contains("the role " + role + " has reached its connection limit")
				.contains("SQLState: 53300 (too many connections)")
				.contains("Message:  too many connections for role \"" + role + "\"");
			assertThat(startup.action())
				.contains("(max-connections: DB_MAX_CONNECTIONS='7' (environment variable); instances: "
						+ "app.db.pool.instances, not set)")
				.contains("ALTER ROLE " + role + " CONNECTION LIMIT …")
				.contains("connection budget check (app.db.pool.budget.mode)");
		}
		finally {
			superuser("DROP ROLE IF EXISTS " + role);
		}
	}

	@Test
	void sslRequiredAgainstAServerWithoutSslSuggestsTheSslmodeFix() throws SQLException {
		try (Connection connection = TestDatabase.get().connect();
				Statement statement = connection.createStatement();
				ResultSet ssl = statement.executeQuery("SHOW ssl")) {
			ssl.next();
			assertThat(ssl.getString(1))
				.as("this test needs a test server without SSL (ssl = off, as the local server is set up); "
						+ "one with SSL is unit-tested in DatabaseConnectionFailureAnalyzerTests")
				.isEqualTo("off");
		}
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl() + "?sslmode=require",
						"spring.datasource.username", TestDatabase.get().username(), "app.db.pool.retry.max-attempts",
						1),
				RunnerApplication.class);
		assertThat(startup.description()).contains("the connection asks for SSL and the server does not support it")
			.contains("SSL mode: require (sslmode in the URL)")
			.contains("SQLState: 08004")
			.contains("The server does not support SSL.");
		assertThat(startup.action()).contains("set sslmode=prefer or sslmode=disable");
	}

	@Test
	void jdbcConnectionDetailsBeanIsNamedAsTheSourceAndWinsOverSpringDatasourceUrl() throws IOException {
		int port = freePort();
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("spring.datasource.url", "jdbc:postgresql://from-properties:5432/ignored", "details.url",
						"jdbc:postgresql://127.0.0.1:" + port + "/orders?password=s3cret",
						"app.db.pool.retry.max-attempts", 1),
				ConnectionDetailsApplication.class);
		String bean = "the JdbcConnectionDetails bean 'ordersConnectionDetails' ("
				+ ConnectionDetailsApplication.OrdersConnectionDetails.class.getName() + ")";
		assertThat(startup.description()).contains("the connection was refused")
			.contains("Host:     127.0.0.1")
			.contains("URL:      jdbc:postgresql://127.0.0.1:" + port + "/orders?password=****, from " + bean)
			.contains("User:     details_user, from " + bean)
			.doesNotContain("from-properties");
		assertThat(startup.description() + startup.action()).doesNotContain("s3cret");
	}

	@Test
	void jdbcConnectionDetailsBeanDestroyedByAFailedRefreshIsStillNamed() throws IOException {
		int port = freePort();
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("details.url", "jdbc:postgresql://127.0.0.1:" + port + "/orders", "spring.sql.init.mode",
						"always", "spring.sql.init.schema-locations", "classpath:/connection-failure/schema.sql",
						"app.db.pool.retry.max-attempts", 1),
				ConnectionDetailsApplication.class, SqlInitApplication.class);
		assertThat(startup.description()).contains("the connection was refused")
			.contains("URL:      not known: the JdbcConnectionDetails bean 'ordersConnectionDetails' ("
					+ ConnectionDetailsApplication.OrdersConnectionDetails.class.getName()
					+ "), destroyed when the start-up failed")
			.contains("Connection to 127.0.0.1:" + port + " refused");
	}

	@Test
	void failureOfAStatementIsLeftToTheOtherAnalyzers(CapturedOutput output) {
		Startup startup = start(EnvironmentVariables.of(),
				Map.of("spring.datasource.url", TestDatabase.get().jdbcUrl(), "spring.datasource.username",
						TestDatabase.get().username(), "runner.sql", "SELECT * FROM no_such_table_" + RUN),
				RunnerApplication.class);
		assertThat(SqlFailures.sqlState(startup.failure())).isEqualTo("42P01");
		assertThat(startup.analyzer()).isNull();
		assertThat(output).contains("Application run failed").doesNotContain("Could not connect to PostgreSQL");
	}

	/**
	 * Run the application until it fails, and analyze the failure as Spring Boot does
	 * (every analyzer from {@code spring.factories}, in order, the first answer wins),
	 * while its context is as Spring Boot's reporter sees it: not closed yet.
	 */
	static Startup start(EnvironmentVariables variables, Map<String, Object> properties, Class<?> application,
			String... args) {
		return start(variables, properties, new Class<?>[] { application }, args);
	}

	private static Startup start(EnvironmentVariables variables, Map<String, Object> properties, Class<?> first,
			Class<?> second) {
		return start(variables, properties, new Class<?>[] { first, second });
	}

	private static Startup start(EnvironmentVariables variables, Map<String, Object> properties, Class<?>[] sources,
			String... args) {
		StandardEnvironment environment = variables.toEnvironment();
		SpringApplication application = new SpringApplication(sources);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setEnvironment(environment);
		Map<String, Object> defaults = new LinkedHashMap<>(properties);
		defaults.putIfAbsent("spring.main.banner-mode", "off");
		defaults.putIfAbsent("app.db.pool.acquire-timeout", "5s");
		application.setDefaultProperties(defaults);
		List<Startup> analyzed = new ArrayList<>();
		application.addListeners((ApplicationListener<ApplicationEvent>) (event) -> {
			if (event instanceof ApplicationFailedEvent failed) {
				analyzed.add(analyze(failed.getApplicationContext(), failed.getException()));
			}
		});
		assertThatException().isThrownBy(() -> application.run(args).close());
		assertThat(analyzed).hasSize(1);
		return analyzed.get(0);
	}

	private static Startup analyze(ConfigurableApplicationContext context, Throwable failure) {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, context.getBeanFactory())
			.and(Environment.class, context.getEnvironment());
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation(context.getClassLoader())
			.load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((message, ex) -> {
				// An analyzer that cannot be created here cannot answer in Spring Boot
				// either.
			}))) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return new Startup(failure, analyzer, analysis.getDescription(), analysis.getAction());
			}
		}
		return new Startup(failure, null, null, null);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void superuser(String sql) throws SQLException {
		try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * A failed start-up and the analysis Spring Boot would print.
	 */
	record Startup(Throwable failure, @Nullable FailureAnalyzer analyzer, @Nullable String description,
			@Nullable String action) {

		Startup {
			if (analyzer != null) {
				assertThat(analyzer).as("the analyzer that answered")
					.isInstanceOf(DatabaseConnectionFailureAnalyzer.class);
			}
		}

	}

	/**
	 * The first connection opened by an application runner, which runs
	 * {@code runner.sql}, in a transaction if {@code runner.transaction} is true.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class })
	static class RunnerApplication {

		@Bean
		ApplicationRunner firstConnection(DataSource dataSource, Environment environment) {
			return (args) -> {
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					boolean transaction = environment.getProperty("runner.transaction", Boolean.class, false);
					connection.setAutoCommit(!transaction);
					statement.execute(environment.getProperty("runner.sql", "SELECT 1"));
					if (transaction) {
						connection.commit();
					}
				}
			};
		}

	}

	/** The first connection opened through Spring's {@code JdbcTemplate}. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
			JdbcTemplateAutoConfiguration.class })
	static class JdbcTemplateApplication {

		@Bean
		ApplicationRunner firstQuery(JdbcTemplate jdbcTemplate) {
			return (args) -> jdbcTemplate.queryForObject("SELECT 1", Integer.class);
		}

	}

	/**
	 * The first connection opened by {@code spring.sql.init}, while beans are created.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
			DataSourceInitializationAutoConfiguration.class })
	static class SqlInitApplication {

	}

	/** The connection given by a {@code JdbcConnectionDetails} bean. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class })
	static class ConnectionDetailsApplication extends RunnerApplication {

		@Bean
		OrdersConnectionDetails ordersConnectionDetails(Environment environment) {
			return new OrdersConnectionDetails(environment.getRequiredProperty("details.url"));
		}

		record OrdersConnectionDetails(String url) implements JdbcConnectionDetails {

			@Override
			public String getJdbcUrl() {
				return this.url;
			}

			@Override
			public String getUsername() {
				return "details_user";
			}

			@Override
			public @Nullable String getPassword() {
				return null;
			}

		}

	}

}
