package dev.dbpool.retry;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import dev.dbpool.diagnostics.SqlFailures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the failures the server may recover from by itself are retried, found by their
 * SQLState wherever the failure carries it.
 */
class RetryableFailuresTests {

	@ParameterizedTest
	@ValueSource(strings = { "08001", "08006", "08003", "08004", "57P01", "57P02", "57P03", "53300" })
	void serverRestartingFailingOverOrOutOfSlotsIsRetryable(String sqlState) {
		assertThat(RetryableFailures.isRetryable(new SQLException("failed", sqlState))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "08P01", "28000", "28P01", "3D000", "42P01", "57014", "53200", "40001", "P0001" })
	void otherFailuresAreNotRetryable(String sqlState) {
		assertThat(RetryableFailures.isRetryable(new SQLException("failed", sqlState))).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "FATAL: no more connections allowed (max_client_conn)",
			"FATAL: server login has been failing, try again later (server_login_retry)" })
	void pgBouncersRefusalsThatClearByThemselvesAreRetryable(String message) {
		assertThat(RetryableFailures.isRetryable(new SQLException(message, "08P01"))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "FATAL: unsupported startup parameter: options",
			"FATAL: transaction blocks not allowed in statement pooling mode", "FATAL: no such database: orders" })
	void pgBouncersOtherRefusalsAreNotRetryable(String message) {
		assertThat(RetryableFailures.isRetryable(new SQLException(message, "08P01"))).isFalse();
	}

	@Test
	void failureWithoutSqlStateIsNotRetryable() {
		assertThat(RetryableFailures.isRetryable(new SQLException("no state"))).isFalse();
		assertThat(RetryableFailures.isRetryable(new IllegalStateException("no state"))).isFalse();
		assertThat(RetryableFailures.isRetryable((String) null)).isFalse();
	}

	@Test
	void pgjdbcsOwnFailureToConnectIsRetryable() {
		PSQLException refused = new PSQLException("Connection to 127.0.0.1:1 refused.",
				PSQLState.CONNECTION_UNABLE_TO_CONNECT, new IOException("Connection refused"));
		assertThat(SqlFailures.sqlState(refused)).isEqualTo("08001");
		assertThat(RetryableFailures.isRetryable(refused)).isTrue();
	}

	@Test
	void protocolViolationIsNotRetryable() {
		// As PgBouncer refuses a start-up parameter it does not know: the next attempt
		// would send it again.
		PSQLException refused = new PSQLException("unsupported startup parameter: options",
				PSQLState.PROTOCOL_VIOLATION);
		assertThat(SqlFailures.sqlState(refused)).isEqualTo("08P01");
		assertThat(RetryableFailures.isRetryable(refused)).isFalse();
	}

	@Test
	void sqlStateIsFoundAlongTheCauses() {
		RuntimeException wrapper = new RuntimeException("wrapped",
				new SQLTransientConnectionException("pool", null, new SQLException("starting up", "57P03")));
		assertThat(SqlFailures.sqlState(wrapper)).isEqualTo("57P03");
		assertThat(RetryableFailures.isRetryable(wrapper)).isTrue();
	}

	@Test
	void sqlStateIsFoundAmongTheNextExceptions() {
		SQLException first = new SQLException("batch");
		first.setNextException(new SQLException("too many clients", "53300"));
		assertThat(SqlFailures.sqlState(first)).isEqualTo("53300");
	}

	@Test
	void outermostSqlStateWins() {
		SQLException auth = new SQLException("password authentication failed", "28P01",
				new SQLException("inner", "08006"));
		assertThat(RetryableFailures.isRetryable(auth)).isFalse();
	}

	@Test
	void causeCycleEnds() {
		SQLException first = new SQLException("first");
		SQLException second = new SQLException("second", (String) null, first);
		first.setNextException(second);
		assertThat(SqlFailures.sqlState(first)).isNull();
	}

}
