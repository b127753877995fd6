package dev.dbpool.pooler;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dbpool.testsupport.PgBouncer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ConsoleConnection} against a real PgBouncer's admin console: logging
 * in by trust, SCRAM-SHA-256 and MD5, queries on one connection kept open, the console's
 * errors with their SQLStates, and what is refused before a query is sent.
 */
class ConsoleConnectionTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@Test
	void readsTheConsoleAgainAndAgainOnOneConnection() throws SQLException {
		try (PgBouncer pgBouncer = PgBouncer.start("transaction");
				ConsoleConnection console = open(pgBouncer, "postgres", null)) {
			for (int i = 0; i < 3; i++) {
				List<Map<String, String>> pools = console.query("SHOW POOLS");
				assertThat(pools).extracting((row) -> row.get("database")).contains("pgbouncer");
				assertThat(pools.get(0)).containsKeys("user", "cl_active", "cl_waiting", "sv_active", "sv_idle",
						"sv_used", "maxwait", "maxwait_us", "pool_mode");
			}
			List<Map<String, String>> clients = console.query("SHOW CLIENTS");
			assertThat(clients).extracting((row) -> row.get("application_name")).contains("test [db-pool pgbouncer]");
		}
	}

	@Test
	void theConsolesErrorsCarryItsSqlStateAndLeaveTheConnectionUsable() throws SQLException {
		try (PgBouncer pgBouncer = PgBouncer.start("transaction");
				ConsoleConnection console = open(pgBouncer, "postgres", null)) {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> console.query("SHOW NOTHING"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).isEqualTo("08P01");
					assertThat(ex.getMessage()).startsWith("ERROR: ");
				});
			assertThat(console.query("SHOW VERSION")).hasSize(1);
		}
	}

	@Test
	void logsInWithScramSha256AndMd5() throws SQLException {
		for (String authType : List.of("scram-sha-256", "md5")) {
			try (PgBouncer pgBouncer = PgBouncer.configure()
				.set("auth_type", authType)
				.password("postgres", "p@ss word,=1")
				.start()) {
				try (ConsoleConnection console = open(pgBouncer, "postgres", "p@ss word,=1")) {
					assertThat(console.query("SHOW VERSION")).as(authType).hasSize(1);
				}
				assertThatExceptionOfType(SQLException.class)
					.isThrownBy(() -> open(pgBouncer, "postgres", "wrong").close())
					.withMessageContaining("authentication failed");
				assertThatExceptionOfType(SQLException.class)
					.isThrownBy(() -> open(pgBouncer, "postgres", null).close())
					.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28P01"))
					.withMessage("the console asks for a password and none is given");
			}
		}
	}

	@Test
	void sslRequiredWhereTheConsoleHasNoneIsRefused() {
		try (PgBouncer pgBouncer = PgBouncer.start("transaction")) {
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> ConsoleConnection
					.open(pgBouncer.jdbcUrl("pgbouncer") + "?sslmode=require", "postgres", null, "test", TIMEOUT)
					.close())
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08004"))
				.withMessageContaining("sslmode=require");
		}
	}

	@Test
	void nothingListeningIsAConnectionFailure() {
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> ConsoleConnection
				.open("jdbc:postgresql://127.0.0.1:1/pgbouncer", "postgres", null, "test", TIMEOUT)
				.close())
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
	}

	private static ConsoleConnection open(PgBouncer pgBouncer, String user, String password) throws SQLException {
		return ConsoleConnection.open(pgBouncer.jdbcUrl("pgbouncer"), user, password, "test [db-pool pgbouncer]",
				TIMEOUT);
	}

}
