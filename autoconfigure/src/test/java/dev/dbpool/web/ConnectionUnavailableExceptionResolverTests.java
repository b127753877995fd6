package dev.dbpool.web;

import java.io.EOFException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.replica.ReplicaUnavailableException;
import dev.dbpool.waiting.PoolSaturatedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.core.Ordered;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.UncategorizedDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.servlet.ModelAndView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 503 answer: for a borrow the waiter cap rejected, for an acquire timeout and for a
 * connection lost under a statement (by its SQLState, as pgjdbc reports it and Spring's
 * translators wrap it), found through Spring's wrappers, with {@code Retry-After} and a
 * problem body that holds no stack trace, no statement and no pool; nothing for any other
 * failure, a protocol violation included unless it ended the session.
 */
class ConnectionUnavailableExceptionResolverTests {

	private final ConnectionUnavailableExceptionResolver resolver = new ConnectionUnavailableExceptionResolver(
			Duration.ofSeconds(2));

	private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/42");

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	@Test
	void poolSaturatedIs503WithRetryAfterAndAProblemBody() throws Exception {
		PoolSaturatedException saturated = new PoolSaturatedException("orders-pool", 2, 2, 2, 2,
				Duration.ofSeconds(30));
		ModelAndView answer = this.resolver.resolveException(this.request, this.response, null,
				new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", saturated));
		assertThat(answer).isNotNull();
		assertThat(answer.isEmpty()).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getHeader("Retry-After")).isEqualTo("2");
		assertThat(this.response.getContentType()).startsWith("application/problem+json");
		assertThat(this.response.getContentAsString()).isEqualTo("{\"type\":\"about:blank\","
				+ "\"title\":\"Service Unavailable\",\"status\":503,"
				+ "\"detail\":\"The database connection pool is saturated; retry later.\",\"instance\":\"/orders/42\"}");
	}

	@Test
	void acquireTimeoutIs503WithRetryAfterAndAProblemBody() throws Exception {
		// As HikariCP reports it, with the last connection failure as its cause, inside
		// Spring's transaction wrapper.
		SQLTransientConnectionException timeout = new SQLTransientConnectionException(
				"orders-pool - Connection is not available, request timed out after 10000ms", "08001",
				new SQLException("Connection refused", "08001"));
		ModelAndView answer = this.resolver.resolveException(this.request, this.response, null,
				new CannotCreateTransactionException("Could not open JDBC Connection for transaction", timeout));
		assertThat(answer).isNotNull();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getHeader("Retry-After")).isEqualTo("2");
		assertThat(this.response.getContentType()).startsWith("application/problem+json");
		assertThat(this.response.getContentAsString())
			.contains("\"detail\":\"No database connection became available in time; retry later.\"")
			.doesNotContain("orders-pool")
			.doesNotContain("Connection refused");
	}

	@Test
	void readReplicaUnavailableWithFallbackFailIs503WithRetryAfterAndAProblemBody() throws Exception {
		// As JdbcTemplate translates it at the first statement of a read-only
		// transaction.
		ReplicaUnavailableException unavailable = new ReplicaUnavailableException("orders-pool-replica",
				"it lost a connection (57P01 FATAL: terminating connection due to administrator command)");
		ModelAndView answer = this.resolver.resolveException(this.request, this.response, null,
				new TransientDataAccessResourceException("PreparedStatementCallback", unavailable));
		assertThat(answer).isNotNull();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getHeader("Retry-After")).isEqualTo("2");
		assertThat(this.response.getContentAsString())
			.contains("\"detail\":\"The read replica is unavailable; retry later.\"")
			.doesNotContain("orders-pool")
			.doesNotContain("57P01");
	}

	@ParameterizedTest(name = "{0} through {2}")
	@MethodSource("connectionLost")
	void connectionLostUnderAStatementIs503WithRetryAfterAndAProblemBody(String sqlState, SQLException failure,
			String translatorName, SQLExceptionTranslator translator) throws Exception {
		DataAccessException translated = translate(translator, failure);
		assertThat(SqlFailures.sqlState(translated)).isEqualTo(sqlState);
		ModelAndView answer = this.resolver.resolveException(this.request, this.response, null, translated);
		assertThat(answer).as("answer to %s", translated.getClass().getName()).isNotNull();
		assertThat(answer.isEmpty()).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getHeader("Retry-After")).isEqualTo("2");
		assertThat(this.response.getContentType()).startsWith("application/problem+json");
		assertThat(this.response.getContentAsString()).isEqualTo("{\"type\":\"about:blank\","
				+ "\"title\":\"Service Unavailable\",\"status\":503,"
				+ "\"detail\":\"The connection to the database was lost; retry later.\",\"instance\":\"/orders/42\"}");
	}

	@ParameterizedTest(name = "{0} through {2}")
	@MethodSource("otherStatementFailures")
	void otherFailuresOfAStatementAreLeftToTheRest(String sqlState, SQLException failure, String translatorName,
			SQLExceptionTranslator translator) {
		DataAccessException translated = translate(translator, failure);
		assertThat(SqlFailures.sqlState(translated)).isEqualTo(sqlState);
		assertThat(this.resolver.resolveException(this.request, this.response, null, translated)).isNull();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getHeader("Retry-After")).isNull();
	}

	@Test
	void connectionLostOnCommitIs503() throws Exception {
		// As DataSourceTransactionManager reports it (JdbcTransactionManager translates
		// it as JdbcTemplate would).
		TransactionSystemException commit = new TransactionSystemException("JDBC commit failed",
				new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
						new EOFException()));
		assertThat(this.resolver.resolveException(this.request, this.response, null, commit)).isNotNull();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getContentAsString())
			.contains("\"detail\":\"" + ConnectionUnavailableExceptionResolver.CONNECTION_LOST + "\"");
	}

	@Test
	void connectionLostIsFoundDeepInTheCauseChain() {
		// As a JPA provider nests it: JpaSystemException, PersistenceException, the
		// provider's JDBCConnectionException, then the driver's.
		RuntimeException nested = new RuntimeException("could not execute statement",
				new RuntimeException("JDBC exception",
						serverError("FATAL", "57P01", "terminating connection due to administrator command")));
		assertThat(this.resolver.resolveException(this.request, this.response, null,
				new UncategorizedDataAccessException("JPA", nested) {
				}))
			.isNotNull();
		assertThat(this.response.getStatus()).isEqualTo(503);
	}

	@Test
	void acquireTimeoutWinsOverTheSqlStateOfTheLastFailureToConnect() throws Exception {
		SQLTransientConnectionException timeout = new SQLTransientConnectionException(
				"orders-pool - Connection is not available, request timed out after 10000ms", "08006",
				new SQLException("Connection reset", "08006"));
		this.resolver.resolveException(this.request, this.response, null,
				new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", timeout));
		assertThat(this.response.getContentAsString())
			.contains("\"detail\":\"" + ConnectionUnavailableExceptionResolver.TIMED_OUT + "\"");
	}

	@Test
	void failureWithoutSqlStateIsLeftToTheRest() {
		assertThat(this.resolver.resolveException(this.request, this.response, null,
				new DataAccessResourceFailureException("no state", new SQLException("no state"))))
			.isNull();
	}

	@Test
	void instanceIsEscaped() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/a\"b\\c");
		this.resolver.resolveException(request, this.response, null, new SQLTransientConnectionException("timeout"));
		assertThat(this.response.getContentAsString()).endsWith(",\"instance\":\"/a\\\"b\\\\c\"}");
	}

	@Test
	void otherFailuresAreLeftToTheRest() {
		assertThat(this.resolver.resolveException(this.request, this.response, null,
				new IllegalStateException("boom", new SQLException("syntax error", "42601"))))
			.isNull();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getHeader("Retry-After")).isNull();
	}

	@Test
	void committedResponseIsLeftAsItIs() {
		this.response.setCommitted(true);
		assertThat(this.resolver.resolveException(this.request, this.response, null,
				new SQLTransientConnectionException("timeout")))
			.isNull();
		assertThat(this.resolver.resolveException(this.request, this.response, null,
				new DataAccessResourceFailureException("lost", new SQLException("lost", "08006"))))
			.isNull();
		assertThat(this.response.getStatus()).isEqualTo(200);
	}

	@Test
	void comesJustAfterSpringMvcsOwnResolvers() {
		assertThat(this.resolver.getOrder()).isEqualTo(1).isLessThan(Ordered.LOWEST_PRECEDENCE);
	}

	/**
	 * pgjdbc's failures of a statement whose connection died: the server ended the
	 * session (57P0x, a FATAL the server sends before it closes), PgBouncer did (a FATAL
	 * 08P01, here as its console's KILL reports it), or the socket failed (08006) or was
	 * already closed (08003); each through each of Spring's translators.
	 */
	static Stream<Arguments> connectionLost() {
		return throughEachTranslator(
				new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
						new EOFException()),
				new PSQLException("This connection has been closed.", PSQLState.CONNECTION_DOES_NOT_EXIST),
				serverError("FATAL", "57P01", "terminating connection due to administrator command"),
				serverError("FATAL", "57P02", "terminating connection because of crash of another server process"),
				serverError("FATAL", "57P03", "the database system is shutting down"),
				serverError("FATAL", "08P01", "database removed"));
	}

	/**
	 * Failures of a statement that are no lost connection: a protocol violation (the
	 * database is there), found by the driver or sent as an ERROR (here as server-side
	 * prepared statements behind PgBouncer in transaction mode meet one), a duplicate
	 * key, a missing table, a serialization failure.
	 */
	static Stream<Arguments> otherStatementFailures() {
		return throughEachTranslator(new PSQLException("Unknown Response Type Z.", PSQLState.PROTOCOL_VIOLATION),
				serverError("ERROR", "08P01",
						"bind message supplies 0 parameters, but prepared statement \"S_1\" requires 1"),
				serverError("ERROR", "23505", "duplicate key value violates unique constraint \"orders_pkey\""),
				serverError("ERROR", "42P01", "relation \"orders\" does not exist"),
				serverError("ERROR", "40001", "could not serialize access due to concurrent update"));
	}

	private static Stream<Arguments> throughEachTranslator(SQLException... failures) {
		// JdbcTemplate's default (subclasses, then SQLStates), the error codes of
		// sql-error-codes.xml for PostgreSQL (used when an application provides its own
		// file), and the SQLStates alone.
		Map<String, SQLExceptionTranslator> translators = new LinkedHashMap<>();
		translators.put("SQLExceptionSubclassTranslator", new SQLExceptionSubclassTranslator());
		translators.put("SQLErrorCodeSQLExceptionTranslator", new SQLErrorCodeSQLExceptionTranslator("PostgreSQL"));
		translators.put("SQLStateSQLExceptionTranslator", new SQLStateSQLExceptionTranslator());
		return Stream.of(failures)
			.flatMap((failure) -> translators.entrySet()
				.stream()
				.map((translator) -> Arguments.of(failure.getSQLState(), failure, translator.getKey(),
						translator.getValue())));
	}

	private static DataAccessException translate(SQLExceptionTranslator translator, SQLException failure) {
		DataAccessException translated = translator.translate("StatementCallback", "SELECT pg_sleep(30)", failure);
		assertThat(translated).isNotNull();
		return translated;
	}

	private static PSQLException serverError(String severity, String sqlState, String message) {
		return new PSQLException(
				new ServerErrorMessage("S" + severity + "\0V" + severity + "\0C" + sqlState + "\0M" + message + "\0"));
	}

}
