package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for {@link DbPoolAutoConfiguration} against a real PostgreSQL: the
 * pool connects where {@code DATABASE_URL} or a {@link JdbcConnectionDetails} bean says,
 * with db-pool's session settings, and {@code app.db.pool.enabled=false} leaves Spring
 * Boot's untuned pool.
 */
class DbPoolConnectionSourcesIntegrationTests {

	private static final String URL_USER = "dbpool_url_user";

	private static final String URL_PASSWORD = "p@ss";

	/** No spring.datasource.* here: each test says where to connect. */
	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of());

	@BeforeAll
	static void createTheDatabaseUrlsRole() throws SQLException {
		ServerSide.ensureLoginRole(URL_USER, URL_PASSWORD);
	}

	@Test
	void databaseUrlAloneConnectsThePoolAsItsUserWithDbPoolSettings() {
		TestDatabase database = TestDatabase.get();
		String name = ServerSide.uniqueName("it-database-url");
		String databaseUrl = "postgres://" + URL_USER + ":p%40ss@" + database.host() + ":" + database.port() + "/"
				+ TestDatabase.DATABASE + "?sslmode=disable";
		this.runner.withInitializer(EnvironmentVariables.of("DATABASE_URL=" + databaseUrl))
			.withPropertyValues("spring.application.name=" + name)
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getJdbcUrl()).isEqualTo(database.jdbcUrl() + "?sslmode=disable");
				assertThat(pool.getUsername()).isEqualTo(URL_USER);
				// The local server trusts 127.0.0.1, so a wrong password would connect
				// too.
				assertThat(pool.getPassword()).isEqualTo(URL_PASSWORD);
				try (Connection connection = pool.getConnection()) {
					assertThat(query(connection, "SELECT current_user")).isEqualTo(URL_USER);
					assertThat(query(connection, "SELECT session_user")).isEqualTo(URL_USER);
					assertThat(query(connection, "SELECT current_database()")).isEqualTo(TestDatabase.DATABASE);
					assertThat(ServerSide.applicationNameOf(ServerSide.backendPid(connection))).isEqualTo(name);
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("30s");
				}
			});
	}

	@Test
	void connectionDetailsBeanWinsOverSpringDatasourceUrlAndKeepsDbPoolSettings() {
		String name = ServerSide.uniqueName("it-connection-details");
		this.runner.withUserConfiguration(TestDatabaseConnectionDetailsConfiguration.class)
			.withPropertyValues("spring.application.name=" + name,
					"spring.datasource.url=jdbc:postgresql://127.0.0.1:1/nowhere", "spring.datasource.username=nobody",
					"app.db.pool.statement-timeout=2500ms")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(query(connection, "SELECT current_database()")).isEqualTo(TestDatabase.DATABASE);
					assertThat(query(connection, "SELECT current_user")).isEqualTo(TestDatabase.get().username());
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("2500ms");
					assertThat(ServerSide.applicationNameOf(ServerSide.backendPid(connection))).isEqualTo(name);
				}
			});
	}

	@Test
	void disabledDbPoolLeavesSpringBootsPoolWithoutDbPoolSessionSettings() {
		String name = ServerSide.uniqueName("it-disabled");
		this.runner.withPropertyValues(TestDatabase.get().dataSourceProperties())
			.withPropertyValues("spring.application.name=" + name, "app.db.pool.enabled=false",
					"app.db.pool.application-name=" + name, "app.db.pool.statement-timeout=2s")
			.run((context) -> {
				assertThat(context).hasSingleBean(HikariDataSource.class).doesNotHaveBean(DbPoolProperties.class);
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					int pid = ServerSide.backendPid(connection);
					assertThat(ServerSide.applicationNameOf(pid)).isEqualTo("PostgreSQL JDBC Driver");
					assertThat(ServerSessions.named(name)).isZero();
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("0");
				}
			});
	}

	private static String query(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class TestDatabaseConnectionDetailsConfiguration {

		@Bean
		JdbcConnectionDetails jdbcConnectionDetails() {
			TestDatabase database = TestDatabase.get();
			return new JdbcConnectionDetails() {

				@Override
				public String getJdbcUrl() {
					return database.jdbcUrl();
				}

				@Override
				public String getUsername() {
					return database.username();
				}

				@Override
				public String getPassword() {
					return database.password();
				}

			};
		}

	}

}
