package dev.dbpool.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.dbpool.testsupport.PostgresServer.Replicated;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link PostgresServer}: real servers of the tests' own, started, stopped,
 * restarted and promoted. Each prints how long its steps took.
 */
class PostgresServerTests {

	@Test
	void keepsItsDataAcrossStopAndStartOnTheSamePort() throws Exception {
		long started = System.nanoTime();
		try (PostgresServer server = PostgresServer.start()) {
			report("initdb + start", started);
			int port = server.port();
			execute(server, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (42)");
			long stopping = System.nanoTime();
			server.stop(Shutdown.FAST);
			report("stop (fast)", stopping);
			assertThat(server.isRunning()).isFalse();
			assertThatExceptionOfType(SQLException.class).isThrownBy(server::connect)
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
			long starting = System.nanoTime();
			server.startAgain();
			report("start again", starting);
			assertThat(server.isRunning()).isTrue();
			assertThat(server.port()).isEqualTo(port);
			assertThat(queryInt(server, "SELECT id FROM kept")).isEqualTo(42);
			long restarting = System.nanoTime();
			server.restart();
			report("restart (fast)", restarting);
			assertThat(queryInt(server, "SELECT id FROM kept")).isEqualTo(42);
			server.stop(Shutdown.IMMEDIATE).startAgain();
			assertThat(queryInt(server, "SELECT id FROM kept")).isEqualTo(42);
			assertThat(server.log()).contains("database system is ready to accept connections");
		}
	}

	@Test
	void takesSettings() throws Exception {
		try (PostgresServer server = PostgresServer.configure().set("max_connections", 7).start()) {
			assertThat(queryInt(server, "SELECT current_setting('max_connections')::int")).isEqualTo(7);
		}
	}

	@Test
	void scramRefusesAWrongPasswordAndAcceptsTheRightOne() throws Exception {
		try (PostgresServer server = PostgresServer.configure().password("s3cret'x").start()) {
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> server.connect(PostgresServer.SUPERUSER, "wrong").close())
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28P01"));
			try (Connection connection = server.connect(PostgresServer.SUPERUSER, "s3cret'x")) {
				assertThat(connection.isValid(5)).isTrue();
			}
			assertThat(queryInt(server,
					"SELECT count(*)::int FROM pg_hba_file_rules WHERE auth_method = 'scram-sha-256' AND type = 'host'"))
				.isEqualTo(2);
		}
	}

	@Test
	void standbyReplaysThePrimaryUntilPromoted() throws Exception {
		long started = System.nanoTime();
		try (Replicated replicated = PostgresServer.primaryWithStandbys(1)) {
			report("primary + 1 standby (initdb, start, pg_basebackup, start)", started);
			PostgresServer primary = replicated.primary();
			PostgresServer standby = replicated.standby(0);
			assertThat(standby.port()).isNotEqualTo(primary.port());
			execute(primary, "CREATE TABLE replicated (id int)", "INSERT INTO replicated VALUES (7)");
			long replaying = System.nanoTime();
			replicated.awaitReplayed(standby, Duration.ofSeconds(30));
			report("replay of a write", replaying);
			assertThat(queryInt(standby, "SELECT id FROM replicated")).isEqualTo(7);
			assertThat(queryBoolean(standby, "SELECT pg_is_in_recovery()")).isTrue();
			assertThat(queryBoolean(primary, "SELECT pg_is_in_recovery()")).isFalse();
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> execute(standby, "INSERT INTO replicated VALUES (8)"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("25006"));
			long promoting = System.nanoTime();
			standby.promote();
			report("promote", promoting);
			assertThat(queryBoolean(standby, "SELECT pg_is_in_recovery()")).isFalse();
			execute(standby, "INSERT INTO replicated VALUES (8)");
			assertThat(queryInt(standby, "SELECT sum(id)::int FROM replicated")).isEqualTo(15);
		}
	}

	@Test
	void closeLeavesNoServerAndNoFolder() throws Exception {
		PostgresServer server = PostgresServer.start();
		Path folder = server.folder();
		Path pidFile = folder.resolve("data/postmaster.pid");
		long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
		assertThat(ProcessHandle.of(pid)).isPresent();
		server.close();
		assertThat(PostgresServer.exited(pid)).isTrue();
		assertThat(folder).doesNotExist();
		assertThat(server.isRunning()).isFalse();
	}

	private static void report(String step, long startedNanos) {
		System.out.println("PostgresServer timing: " + step + " took "
				+ Duration.ofNanos(System.nanoTime() - startedNanos).toMillis() + "ms");
	}

	static void execute(PostgresServer server, String... sql) throws SQLException {
		try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
			for (String one : sql) {
				statement.execute(one);
			}
		}
	}

	private static int queryInt(PostgresServer server, String sql) throws SQLException {
		return query(server, sql, Integer.class);
	}

	private static boolean queryBoolean(PostgresServer server, String sql) throws SQLException {
		return query(server, sql, Boolean.class);
	}

	private static <T> T query(PostgresServer server, String sql, Class<T> type) throws SQLException {
		try (Connection connection = server.connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getObject(1, type);
		}
	}

}
