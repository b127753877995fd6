package dev.dbpool.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import dev.dbpool.diagnostics.DatabaseConnectionFailureAnalyzerIntegrationTests.RunnerApplication;
import dev.dbpool.diagnostics.DatabaseConnectionFailureAnalyzerIntegrationTests.Startup;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.TcpProxy;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start-up that PgBouncer refuses, run as a
 * {@link org.springframework.boot.SpringApplication} against a real PgBouncer (see
 * {@link PgBouncer}) in front of the test server, ends in db-pool's failure analysis with
 * PgBouncer's cause and the fix, and the log lines that print such a failure (here the
 * pooler probe's) carry the fix too.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgBouncerFailureAnalysisIntegrationTests {

	// Where the pooler probe of auto would be refused too, and db-pool would then send
	// options of its own, which PgBouncer refuses first.
	private static final Map<String, Object> SESSION_MODE = Map.of("app.db.pool.pooler.mode", "pgbouncer-session");

	private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

	@Test
	void optionsInTheUrlSayToRemoveThemOrIgnoreThemAtACost() {
		try (PgBouncer pgBouncer = PgBouncer.start("session")) {
			Startup startup = start(pgBouncer.jdbcUrl() + "?options=-c%20work_mem%3D64MB", Map.of());
			assertThat(startup.description())
				.startsWith("Could not connect to PostgreSQL at 127.0.0.1:" + pgBouncer.port()
						+ ": PgBouncer refuses the start-up parameter options.")
				.contains("SQLState: 08P01 (protocol violation, as PgBouncer sends its own errors)")
				.contains("Message:  unsupported startup parameter: options");
			assertThat(startup.action())
				.startsWith("It is in the URL given by spring.datasource.url (property source 'defaultProperties'). "
						+ "Remove options from the JDBC URL and the driver properties: behind PgBouncer "
						+ "(app.db.pool.pooler.mode pgbouncer-session or pgbouncer-transaction, or auto once it finds "
						+ "PgBouncer) db-pool sends no options of its own; or list options in "
						+ "ignore_startup_parameters in pgbouncer.ini, but then PgBouncer drops it and the settings "
						+ "it carries silently stop holding.")
				.doesNotContain("db-pool sends options of its own too");
		}
	}

	@Test
	void dbPoolsOwnOptionsWithModeNoneSayToSetTheMode() {
		try (PgBouncer pgBouncer = PgBouncer.start("session")) {
			Startup startup = start(pgBouncer.jdbcUrl(), Map.of("app.db.pool.pooler.mode", "none"));
			assertThat(startup.description()).contains("PgBouncer refuses the start-up parameter options.");
			assertThat(startup.action())
				.isEqualTo("These options are db-pool's own server settings (statement_timeout, …), which it sends "
						+ "where it connects as to PostgreSQL itself: while app.db.pool.pooler.mode='none' (property "
						+ "source 'defaultProperties'). Set app.db.pool.pooler.mode (DB_POOLER) to "
						+ "pgbouncer-session or pgbouncer-transaction, as PgBouncer's pool_mode is.");
		}
	}

	@Test
	void currentSchemaIsRefusedAsSearchPathAndThePoolerProbeSaysSo(CapturedOutput output) {
		try (PgBouncer pgBouncer = PgBouncer.start("session")) {
			Startup startup = start(pgBouncer.jdbcUrl() + "?currentSchema=public", Map.of());
			assertThat(startup.description()).contains("PgBouncer refuses the start-up parameter search_path.");
			assertThat(startup.action()).startsWith("Remove what sends search_path from the JDBC URL and the driver "
					+ "properties (pgjdbc sends search_path for currentSchema); or list search_path in "
					+ "ignore_startup_parameters in pgbouncer.ini, but then PgBouncer drops it and its setting "
					+ "silently stops holding.");
			// The probe of app.db.pool.pooler.mode=auto was refused first, by PgBouncer.
			assertThat(output).contains("connects through a pooler whose mode start-up cannot prove")
				.contains("PgBouncer refused the probe (08P01 FATAL: unsupported startup parameter: search_path — "
						+ "fix: remove what sends search_path from the JDBC URL");
		}
	}

	@Test
	void clientLimitNamesMaxClientConnAndThePoolsSize() throws SQLException {
		try (PgBouncer pgBouncer = PgBouncer.configure().set("max_client_conn", 1).start();
				Connection only = pgBouncer.connect("postgres")) {
			Startup startup = start(pgBouncer.jdbcUrl(),
					Map.of("app.db.pool.pooler.mode", "pgbouncer-session", "app.db.pool.max-connections", 3));
			assertThat(startup.description()).contains("PgBouncer accepts no more clients (max_client_conn).")
				.contains("Message:  no more connections allowed (max_client_conn)");
			assertThat(startup.action()).isEqualTo("PgBouncer's max_client_conn is reached: raise it in "
					+ "pgbouncer.ini, or lower the connections its clients open (instances × "
					+ "app.db.pool.max-connections, with every other client of this PgBouncer). This application: "
					+ "max-connections: "
					+ "app.db.pool.max-connections='3' (property source 'defaultProperties'); instances: "
					+ "app.db.pool.instances, not set.");
		}
	}

	@Test
	void aPoolerProbeRefusedByPgBouncerTakesItForPgBouncerAndTheRealCauseIsReported(CapturedOutput output)
			throws SQLException {
		try (PgBouncer pgBouncer = PgBouncer.configure().set("max_client_conn", 1).start();
				Connection only = pgBouncer.connect("postgres")) {
			Startup startup = start(pgBouncer.jdbcUrl(), Map.of());
			assertThat(output).contains("connects through a pooler whose mode start-up cannot prove (PgBouncer "
					+ "refused the probe (08P01 FATAL: no more connections allowed (max_client_conn) — fix: PgBouncer's "
					+ "max_client_conn is reached: raise it in pgbouncer.ini");
			// Then it connects without options, and the client limit itself is reported.
			assertThat(startup.description()).contains("PgBouncer accepts no more clients (max_client_conn).");
		}
	}

	@Test
	void statementModeSaysToRunTransactionMode() {
		try (PgBouncer pgBouncer = PgBouncer.start("statement")) {
			Startup startup = start(pgBouncer.jdbcUrl(), Map.of("app.db.pool.pooler.mode", "pgbouncer-transaction",
					"app.db.pool.pooler.timeout-check", "off", "runner.transaction", true));
			assertThat(startup.description())
				.contains("PgBouncer runs in statement pooling mode, which refuses transactions.")
				.contains("Message:  transaction blocks not allowed in statement pooling mode");
			assertThat(startup.action()).isEqualTo("Run PgBouncer with pool_mode = transaction (or session) for "
					+ "this database or user: a JDBC pool and @Transactional need transactions. Then set "
					+ "app.db.pool.pooler.mode (DB_POOLER) to pgbouncer-transaction, or leave it to auto.");
		}
	}

	@Test
	void databaseMissingFromTheDatabasesSectionSaysToAddIt() {
		TestDatabase database = TestDatabase.get();
		String missing = "orders_" + RUN;
		try (PgBouncer pgBouncer = PgBouncer.configure()
			.databases(TestDatabase.DATABASE + " = host=" + database.host() + " port=" + database.port())
			.start()) {
			Startup startup = start(pgBouncer.jdbcUrl(missing), SESSION_MODE);
			assertThat(startup.description())
				.contains("PgBouncer has no database " + missing + " in its [databases] section.")
				.contains("Message:  no such database: " + missing);
			assertThat(startup.action()).isEqualTo("Add " + missing + " to the [databases] section of "
					+ "pgbouncer.ini (or a * entry for every database) and reload PgBouncer, or fix the database "
					+ "name in the JDBC URL given by spring.datasource.url (property source 'defaultProperties').");
		}
	}

	@Test
	void databaseTheServerLacksBehindPgBouncerIsStillAMissingDatabase() {
		String missing = "no_such_db_" + RUN;
		try (PgBouncer pgBouncer = PgBouncer.start("session")) {
			Startup startup = start(pgBouncer.jdbcUrl(missing), SESSION_MODE);
			assertThat(startup.description()).contains("the database " + missing + " does not exist.")
				.contains("SQLState: 08P01");
			assertThat(startup.action()).startsWith("Create the database (CREATE DATABASE " + missing + ")");
		}
	}

	@Test
	void serverPgBouncerCannotReachIsNamed() throws IOException {
		try (TcpProxy server = TcpProxy.toTestDatabase();
				PgBouncer pgBouncer = PgBouncer.configure()
					.databases("* = host=127.0.0.1 port=" + server.port())
					.set("server_login_retry", 60)
					.start()) {
			SQLException warm = attempt(pgBouncer, 5);
			assertThat((Throwable) warm).as("through PgBouncer while the server answers").isNull();
			server.close();
			// PgBouncer's first connection to the server after it went fails; from then
			// on it refuses clients for server_login_retry.
			attempt(pgBouncer, 2);
			Startup startup = start(pgBouncer.jdbcUrl(), SESSION_MODE);
			assertThat(startup.description())
				.contains("PgBouncer cannot connect or log in to the PostgreSQL server behind it.")
				.contains("Message:  server login has been failing, try again later (server_login_retry)");
			assertThat(startup.action()).startsWith("PgBouncer cannot connect or log in to PostgreSQL, and refuses "
					+ "clients for server_login_retry (15s by default) after each failure: check that PostgreSQL is up");
		}
	}

	@Test
	void extraFloatDigitsSaysToIgnoreIt() throws IOException {
		// pgjdbc 42.7.5 and later no longer send it, so the start-up packet is sent here
		// as older versions send it, and PgBouncer's answer read as pgjdbc reads it.
		try (PgBouncer pgBouncer = PgBouncer.configure().set("ignore_startup_parameters", "").start()) {
			PSQLException refusal = startupRefusal(pgBouncer, "extra_float_digits", "2");
			assertThat(refusal.getSQLState()).isEqualTo("08P01");
			assertThat(refusal.getMessage()).isEqualTo("FATAL: unsupported startup parameter: extra_float_digits");
			assertThat(SqlFailures.describe(refusal))
				.startsWith("08P01 FATAL: unsupported startup parameter: extra_float_digits — fix: add "
						+ "ignore_startup_parameters = extra_float_digits to the [pgbouncer] section of pgbouncer.ini "
						+ "and reload PgBouncer");
			StandardEnvironment environment = new StandardEnvironment();
			environment.getPropertySources()
				.addFirst(new MapPropertySource("test", Map.of("spring.datasource.url", pgBouncer.jdbcUrl())));
			FailureAnalysis analysis = new DatabaseConnectionFailureAnalyzer(environment,
					new DefaultListableBeanFactory())
				.analyze(refusal);
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription())
				.contains("PgBouncer refuses the start-up parameter extra_float_digits.");
			assertThat(analysis.getAction()).isEqualTo("Add ignore_startup_parameters = extra_float_digits to the "
					+ "[pgbouncer] section of pgbouncer.ini and reload PgBouncer (pgjdbc before 42.7.5 sends it on "
					+ "every connection; 42.7.5 and later do not).");
		}
	}

	private static Startup start(String url, Map<String, Object> properties) {
		Map<String, Object> all = new java.util.LinkedHashMap<>(properties);
		all.put("spring.datasource.url", url);
		all.put("spring.datasource.username", "postgres");
		all.putIfAbsent("app.db.pool.max-connections", 2);
		all.putIfAbsent("app.db.pool.min-connections", 1);
		return DatabaseConnectionFailureAnalyzerIntegrationTests.start(EnvironmentVariables.of(), all,
				RunnerApplication.class);
	}

	// Open a connection through PgBouncer and close it; the failure, if any.
	private static SQLException attempt(PgBouncer pgBouncer, int loginTimeoutSeconds) {
		Properties properties = new Properties();
		properties.setProperty("user", "postgres");
		properties.setProperty("loginTimeout", String.valueOf(loginTimeoutSeconds));
		try (Connection connection = DriverManager.getConnection(pgBouncer.jdbcUrl(), properties)) {
			return null;
		}
		catch (SQLException ex) {
			return ex;
		}
	}

	// A start-up packet with one more parameter, and the error PgBouncer answers, as
	// pgjdbc reads it.
	private static PSQLException startupRefusal(PgBouncer pgBouncer, String parameter, String value)
			throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(body);
		out.writeInt(196608); // protocol 3.0
		for (String field : new String[] { "user", "postgres", "database", TestDatabase.DATABASE, parameter, value }) {
			out.write(field.getBytes(StandardCharsets.UTF_8));
			out.write(0);
		}
		out.write(0);
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), pgBouncer.port())) {
			socket.setSoTimeout(10_000);
			DataOutputStream packet = new DataOutputStream(socket.getOutputStream());
			packet.writeInt(body.size() + 4);
			body.writeTo(packet);
			packet.flush();
			DataInputStream in = new DataInputStream(socket.getInputStream());
			assertThat((char) in.readByte()).as("ErrorResponse").isEqualTo('E');
			byte[] fields = new byte[in.readInt() - 4];
			in.readFully(fields);
			return new PSQLException(new ServerErrorMessage(new String(fields, StandardCharsets.UTF_8)));
		}
	}

}
