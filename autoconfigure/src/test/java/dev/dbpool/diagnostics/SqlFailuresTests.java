package dev.dbpool.diagnostics;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SqlFailures#describe(Exception)}: the SQLState and message, and for
 * PgBouncer's refusals (built as pgjdbc builds them from what PgBouncer 1.18 sends) the
 * fix.
 */
class SqlFailuresTests {

	@Test
	void failureIsItsSqlStateAndMessage() {
		assertThat(SqlFailures.describe(pgBouncer("57P03", "the database system is starting up")))
			.isEqualTo("57P03 FATAL: the database system is starting up");
		assertThat(SqlFailures.describe(new IllegalStateException("no SQLState"))).isEqualTo("no SQLState");
	}

	@Test
	void extraFloatDigitsRefusalNamesIgnoreStartupParameters() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "unsupported startup parameter: extra_float_digits")))
			.startsWith("08P01 FATAL: unsupported startup parameter: extra_float_digits — fix: add "
					+ "ignore_startup_parameters = extra_float_digits to the [pgbouncer] section of pgbouncer.ini "
					+ "and reload PgBouncer");
	}

	@Test
	void optionsRefusalSaysToRemoveThemAndWhatIgnoringThemCosts() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "unsupported startup parameter: options")))
			.startsWith("08P01 FATAL: unsupported startup parameter: options — fix: remove options from the JDBC URL "
					+ "and the driver properties: behind PgBouncer")
			.contains("db-pool sends no options of its own")
			.contains("ignore_startup_parameters")
			.contains("silently stop holding");
	}

	@Test
	void otherParameterRefusalNamesTheParameter() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "unsupported startup parameter: search_path")))
			.contains("— fix: remove what sends search_path from the JDBC URL and the driver properties (pgjdbc sends "
					+ "search_path for currentSchema); or list search_path in ignore_startup_parameters");
	}

	@Test
	void clientLimitNamesMaxClientConnAndThePoolSize() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "no more connections allowed (max_client_conn)")))
			.isEqualTo("08P01 FATAL: no more connections allowed (max_client_conn) — fix: PgBouncer's "
					+ "max_client_conn is reached: raise it in pgbouncer.ini, or lower the connections its clients "
					+ "open (instances × app.db.pool.max-connections, with every other client of this PgBouncer)");
	}

	@Test
	void statementModeNamesPoolModeTransaction() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "transaction blocks not allowed in statement pooling mode")))
			.contains("— fix: run PgBouncer with pool_mode = transaction");
	}

	@Test
	void unknownDatabaseNamesTheDatabasesSection() {
		assertThat(SqlFailures.describe(pgBouncer("08P01", "no such database: orders")))
			.contains("— fix: add orders to the [databases] section of pgbouncer.ini");
	}

	@Test
	void failingServerLoginSaysPgBouncerCannotReachTheServer() {
		assertThat(SqlFailures
			.describe(pgBouncer("08P01", "server login has been failing, try again later (server_login_retry)")))
			.contains("— fix: PgBouncer cannot connect or log in to PostgreSQL");
	}

	@Test
	void protocolViolationOfAnotherKindHasNoFix() {
		assertThat(SqlFailures.describe(pgBouncer("08P01",
				"bind message supplies 0 parameters, but prepared " + "statement \"S_1\" requires 1")))
			.doesNotContain("fix");
		assertThat(SqlFailures.describe(new SQLException("no more connections allowed (max_client_conn)", "08001")))
			.doesNotContain("fix");
	}

	// An error PgBouncer (or the server) sent, as pgjdbc reads it.
	private static PSQLException pgBouncer(String sqlState, String message) {
		return new PSQLException(new ServerErrorMessage("SFATAL\0VFATAL\0C" + sqlState + "\0M" + message + "\0"));
	}

}
