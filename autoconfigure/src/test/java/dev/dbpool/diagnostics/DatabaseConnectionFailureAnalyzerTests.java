package dev.dbpool.diagnostics;

import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;

import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import dev.dbpool.testsupport.EnvironmentVariables;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DatabaseConnectionFailureAnalyzer} with the failures the test server
 * cannot produce (it trusts every local connection and has no SSL), built as pgjdbc
 * builds them: a server's error as a {@link ServerErrorMessage}, the driver's own with
 * its {@link PSQLState}.
 */
class DatabaseConnectionFailureAnalyzerTests {

	private static final String URL = "spring.datasource.url=jdbc:postgresql://db.example:5432/orders";

	@Test
	void wrongPasswordNamesTheVariableItCameFromNeverItsValue() {
		FailureAnalysis analysis = analyze(
				new PoolInitializationException(server("28P01", "password authentication failed for user \"app\"")),
				EnvironmentVariables.of("DATABASE_URL=postgres://app:s3cret@db.example:5432/orders"));
		assertThat(analysis.getDescription())
			.startsWith("Could not connect to PostgreSQL at db.example:5432: password authentication failed for user "
					+ "app.")
			.contains("SQLState: 28P01 (invalid password)")
			.contains("Message:  password authentication failed for user \"app\"");
		assertThat(analysis.getAction())
			.startsWith("Check the password of app, from DATABASE_URL (environment variable): it must be the role's "
					+ "password on the server (a superuser sets it with ALTER ROLE app PASSWORD '…').");
		assertNoSecret(analysis, "s3cret");
	}

	@Test
	void wrongPasswordFromAPlaceholderNamesTheVariableTheFileReads() {
		FailureAnalysis analysis = analyze(
				new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
						server("28P01", "password authentication failed for user \"app\"")),
				EnvironmentVariables.of("DB_PASSWORD=hunter2"), URL, "spring.datasource.username=app",
				"spring.datasource.password=${DB_PASSWORD}");
		assertThat(analysis.getAction()).startsWith("Check the password of app, from spring.datasource.password "
				+ "(property source 'application'), set from ${DB_PASSWORD}: it must be");
		assertNoSecret(analysis, "hunter2");
	}

	@Test
	void wrongPasswordFromAPasswordFileNamesTheFile() {
		FailureAnalysis analysis = analyze(server("28P01", "password authentication failed for user \"app\""),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app", "spring.datasource.password=unused",
				"app.db.pool.password-file=/var/run/secrets/db/password");
		assertThat(analysis.getAction()).startsWith("Check the password of app, from the file "
				+ "/var/run/secrets/db/password given by app.db.pool.password-file (property source 'application'): "
				+ "it must be");
		assertNoSecret(analysis, "unused");
	}

	@Test
	void passwordInTheUrlIsMaskedAndNamedAsTheSource() {
		FailureAnalysis analysis = analyze(server("28P01", "password authentication failed for user \"app\""),
				EnvironmentVariables.of(),
				"spring.datasource.url=jdbc:postgresql://db.example/orders?user=app&password=s3cret",
				"spring.datasource.username=ignored");
		assertThat(analysis.getDescription())
			.contains("User:     app, from the user parameter of the URL, from spring.datasource.url")
			.contains("URL:      jdbc:postgresql://db.example/orders?user=app&password=****, from");
		assertThat(analysis.getAction())
			.startsWith("Check the password of app, from the password parameter of the URL, from "
					+ "spring.datasource.url (property source 'application'):");
		assertNoSecret(analysis, "s3cret");
	}

	@Test
	void noPasswordSaysWhereToSetOne() {
		FailureAnalysis analysis = analyze(
				new PSQLException("The server requested SCRAM-based authentication, but no password was provided.",
						PSQLState.CONNECTION_REJECTED),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the server asks app for a password and none was given");
		assertThat(analysis.getAction())
			.startsWith("Give app a password: it comes from spring.datasource.password, which is not set.");
	}

	@Test
	void pgHbaWithoutEncryptionAsksForSslmodeRequire() {
		FailureAnalysis analysis = analyze(
				server("28000",
						"no pg_hba.conf entry for host \"10.1.2.3\", user \"app\", database \"orders\", no encryption"),
				EnvironmentVariables.of(), URL + "?sslmode=disable", "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the server accepts this client only over SSL (pg_hba.conf)")
			.contains("SSL mode: disable (sslmode in the URL)");
		assertThat(analysis.getAction()).startsWith("Connect over SSL: set sslmode=require (or verify-full) in the "
				+ "URL given by spring.datasource.url (property source 'application').");
	}

	@Test
	void pgHbaOverSslAsksForAnEntryOrSslmodeDisable() {
		FailureAnalysis analysis = analyze(server("28000",
				"no pg_hba.conf entry for host \"10.1.2.3\", user \"app\", database \"orders\", SSL encryption"),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the server accepts this client only without SSL")
			.contains("SSL mode: prefer (pgjdbc's default: SSL if the server offers it)");
		assertThat(analysis.getAction()).contains("hostssl").contains("set sslmode=disable");
	}

	@Test
	void pgHbaWithNoEntryAsksForOne() {
		FailureAnalysis analysis = analyze(server("28000",
				"no pg_hba.conf entry for host \"10.1.2.3\", user \"app\", database \"orders\", GSS encryption"),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("pg_hba.conf has no entry for this client, user and database");
		assertThat(analysis.getAction()).startsWith("Ask the server's administrator to allow this client's address, "
				+ "user app and database orders in pg_hba.conf");
	}

	@Test
	void certificateThatCannotBeVerifiedPointsAtTheSslSettings() {
		FailureAnalysis analysis = analyze(
				new PSQLException("SSL error: PKIX path building failed", PSQLState.CONNECTION_FAILURE,
						new SSLHandshakeException("PKIX path building failed")),
				EnvironmentVariables.of(), URL + "?sslmode=verify-full", "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the SSL connection could not be set up")
			.contains("SSL mode: verify-full (sslmode in the URL)")
			.contains("(SSLHandshakeException: PKIX path building failed)");
		assertThat(analysis.getAction()).contains("sslrootcert");
	}

	@Test
	void serverOutOfSlotsNamesMaxConnectionsAndTheBudgetCheck() {
		FailureAnalysis analysis = analyze(server("53300", "sorry, too many clients already"),
				EnvironmentVariables.of("DB_POOL_INSTANCES=4"), URL, "spring.datasource.username=app",
				"app.db.pool.max-connections=30");
		assertThat(analysis.getDescription()).contains("the server has no connection slots left (max_connections)");
		assertThat(analysis.getAction())
			.contains("(max-connections: app.db.pool.max-connections='30' (property source 'application'); "
					+ "instances: DB_POOL_INSTANCES='4' (environment variable))")
			.contains("max_connections (a restart), or put a pooler such as PgBouncer in front of it")
			.contains("db-pool's connection budget check (app.db.pool.budget.mode)");
	}

	@Test
	void databaseAtItsConnectionLimitSuggestsAlterDatabase() {
		FailureAnalysis analysis = analyze(server("53300", "too many connections for database \"Orders\""),
				EnvironmentVariables.of(), "spring.datasource.url=jdbc:postgresql://db.example/Orders",
				"spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the database Orders has reached its connection limit");
		assertThat(analysis.getAction()).contains("ALTER DATABASE \"Orders\" CONNECTION LIMIT …");
	}

	@Test
	void timeoutAsksWhetherTheServerCanBeReached() {
		FailureAnalysis analysis = analyze(
				new PSQLException("The connection attempt failed.", PSQLState.CONNECTION_UNABLE_TO_CONNECT,
						new SocketTimeoutException("Connect timed out")),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the server did not answer in time, or cannot be reached");
		assertThat(analysis.getAction()).startsWith("Check that db.example:5432 can be reached");
	}

	@Test
	void unknownHostAmongSeveralIsTheOneTheDriverNamed() {
		FailureAnalysis analysis = analyze(
				new PSQLException("The connection attempt failed.", PSQLState.CONNECTION_UNABLE_TO_CONNECT,
						new UnknownHostException("db2.invalid")),
				EnvironmentVariables.of(),
				"spring.datasource.url=jdbc:postgresql://db1.invalid:5432,db2.invalid:5433/orders");
		assertThat(analysis.getDescription())
			.startsWith("Could not connect to PostgreSQL at db1.invalid:5432, db2.invalid:5433: the host name "
					+ "db2.invalid is unknown.")
			.contains("Host:     db1.invalid, db2.invalid")
			.contains("Port:     5432, 5433")
			.contains("User:     " + System.getProperty("user.name")
					+ ", from spring.datasource.username, which is not set, so pgjdbc uses the JVM's user name");
	}

	@Test
	void otherStateGetsItsStateMessageAndAGenericAction() {
		FailureAnalysis analysis = analyze(server("57P03", "the database system is starting up"),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("SQLState 57P03, the database system is starting up")
			.contains("SQLState: 57P03 (cannot connect now)");
		assertThat(analysis.getAction()).contains("https://www.postgresql.org/docs/current/errcodes-appendix.html");
	}

	@Test
	void hikariTimeoutIsAnalyzedByTheDriversFailureBeneathIt() {
		PSQLException driver = server("3D000", "database \"orders\" does not exist");
		FailureAnalysis analysis = analyze(
				new SQLTransientConnectionException(
						"db-pool-pool - Connection is not available, request timed out after 5000ms", "3D000", driver),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getCause()).isSameAs(driver);
		assertThat(analysis.getDescription()).contains("the database orders does not exist");
	}

	@Test
	void pgBouncersRefusalWinsOverTheIoErrorChainedToIt() {
		PSQLException refusal = server("08P01", "transaction blocks not allowed in statement pooling mode");
		refusal.setNextException(new PSQLException("An I/O error occurred while sending to the backend.",
				PSQLState.CONNECTION_FAILURE, new java.io.EOFException()));
		FailureAnalysis analysis = analyze(refusal, EnvironmentVariables.of(), URL, "spring.datasource.username=app");
		assertThat(analysis.getCause()).isSameAs(refusal);
		assertThat(analysis.getDescription())
			.contains("PgBouncer runs in statement pooling mode, which refuses transactions.");
	}

	@Test
	void roleTheServerLacksBehindPgBouncerIsStillAMissingRole() {
		FailureAnalysis analysis = analyze(server("08P01", "role \"app\" does not exist"), EnvironmentVariables.of(),
				URL, "spring.datasource.username=app");
		assertThat(analysis.getDescription()).contains("the role app does not exist")
			.contains("SQLState: 08P01 (protocol violation, as PgBouncer sends its own errors)");
	}

	@Test
	void optionsOfTheUrlWithModeNoneNameBothSources() {
		FailureAnalysis analysis = analyze(server("08P01", "unsupported startup parameter: options"),
				EnvironmentVariables.of("DB_POOLER=none"), URL + "?options=-c%20work_mem%3D64MB",
				"spring.datasource.username=app");
		assertThat(analysis.getAction())
			.startsWith("It is in the URL given by spring.datasource.url (property source 'application'). Remove "
					+ "options from the JDBC URL")
			.endsWith(" db-pool sends options of its own too while DB_POOLER='none' (environment variable): set "
					+ "app.db.pool.pooler.mode (DB_POOLER) to pgbouncer-session or pgbouncer-transaction, as "
					+ "PgBouncer's pool_mode is.");
	}

	@Test
	void flywayWithAUrlOfItsOwnIsReportedWithIt() {
		FailureAnalysis analysis = analyze(
				new BeanCreationException("flywayInitializer", "Invocation of init method failed",
						new RuntimeException("Unable to obtain connection from database",
								server("28000", "role \"migrator\" does not exist"))),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app",
				"spring.flyway.url=jdbc:postgresql://migrations.example:6432/orders_admin",
				"spring.flyway.user=migrator");
		assertThat(analysis.getDescription()).startsWith("Could not connect to PostgreSQL at migrations.example:6432")
			.contains("User:     migrator, from spring.flyway.user (property source 'application')")
			.contains("URL:      jdbc:postgresql://migrations.example:6432/orders_admin, from spring.flyway.url");
	}

	@Test
	void liquibaseWithAUserOfItsOwnIsReportedWithItAndTheApplicationsUrl() {
		FailureAnalysis analysis = analyze(
				new BeanCreationException("liquibase", "Invocation of init method failed",
						server("28P01", "password authentication failed for user \"migrator\"")),
				EnvironmentVariables.of(), URL, "spring.datasource.username=app", "spring.liquibase.user=migrator");
		assertThat(analysis.getDescription())
			.contains("User:     migrator, from spring.liquibase.user (property source 'application')")
			.contains("URL:      jdbc:postgresql://db.example:5432/orders, from spring.datasource.url");
		assertThat(analysis.getAction())
			.startsWith("Check the password of migrator, from spring.liquibase.password, which is not set; pgjdbc may "
					+ "have read one from ~/.pgpass (or PGPASSFILE):");
	}

	@Test
	void urlThatIsNotKnownLeavesTheServerToTheDriversMessage() {
		FailureAnalysis analysis = analyze(
				new PSQLException(
						"Connection to 10.9.8.7:5432 refused. Check that the hostname and port are correct "
								+ "and that the postmaster is accepting TCP/IP connections.",
						PSQLState.CONNECTION_UNABLE_TO_CONNECT, new java.net.ConnectException("Connection refused")),
				EnvironmentVariables.of());
		assertThat(analysis.getDescription()).startsWith("Could not connect to PostgreSQL: the connection was refused.")
			.contains("URL:      not known: spring.datasource.url, which is not set");
		assertThat(analysis.getAction()).startsWith("Is the server running and listening on 10.9.8.7:5432?");
	}

	@Test
	void failureOfAStatementIsLeftToOtherAnalyzers() {
		assertThat(analyzer(EnvironmentVariables.of(), URL)
			.analyze(new CannotGetJdbcConnectionException("x", server("42P01", "relation \"t\" does not exist"))))
			.isNull();
		assertThat(analyzer(EnvironmentVariables.of(), URL).analyze(new RuntimeException("no SQL failure"))).isNull();
	}

	@Test
	void connectionFailureOfAnotherDriverIsLeftToOtherAnalyzers() {
		assertThat(analyzer(EnvironmentVariables.of(), URL)
			.analyze(new SQLException("Communications link failure", "08S01"))).isNull();
	}

	@Test
	void configurationFailureIsLeftToDbPoolsConfigurationAnalyzer() {
		InvalidDbPoolConfigurationException invalid = new InvalidDbPoolConfigurationException("Invalid value",
				"Change it");
		invalid.initCause(server("53300", "too many connections for role \"app\""));
		BeanCreationException failure = new BeanCreationException("dataSource", "Failed", invalid);
		assertThat(analyzer(EnvironmentVariables.of(), URL).analyze(failure)).isNull();
		// As Spring Boot picks: the first answer of all analyzers, in their order.
		FailureAnalysis analysis = null;
		StandardEnvironment environment = environment(EnvironmentVariables.of(), URL);
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, environment);
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((message, ex) -> {
			}))) {
			analysis = analyzer.analyze(failure);
			if (analysis != null) {
				break;
			}
		}
		assertThat(analysis).isNotNull();
		assertThat(analysis.getCause()).isSameAs(invalid);
	}

	private static FailureAnalysis analyze(Throwable failure, EnvironmentVariables variables, String... properties) {
		FailureAnalysis analysis = analyzer(variables, properties).analyze(failure);
		assertThat(analysis).as("analysis of %s", failure).isNotNull();
		return analysis;
	}

	private static DatabaseConnectionFailureAnalyzer analyzer(EnvironmentVariables variables, String... properties) {
		return new DatabaseConnectionFailureAnalyzer(environment(variables, properties),
				new DefaultListableBeanFactory());
	}

	private static StandardEnvironment environment(EnvironmentVariables variables, String... properties) {
		StandardEnvironment environment = new StandardEnvironment();
		Map<String, Object> map = new LinkedHashMap<>();
		for (String property : properties) {
			int equals = property.indexOf('=');
			map.put(property.substring(0, equals), property.substring(equals + 1));
		}
		// Below the environment variables, as application.yml is.
		environment.getPropertySources().addLast(new MapPropertySource("application", map));
		variables.applyTo(environment);
		return environment;
	}

	// An error the server sent, as pgjdbc reads it.
	private static PSQLException server(String sqlState, String message) {
		return new PSQLException(new ServerErrorMessage("SFATAL\0VFATAL\0C" + sqlState + "\0M" + message + "\0"));
	}

	private static void assertNoSecret(@Nullable FailureAnalysis analysis, String secret) {
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(secret);
	}

}
