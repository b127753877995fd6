package dev.dbpool.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import dev.dbpool.waiting.PoolSaturatedException;
import org.junit.jupiter.api.Test;

import org.springframework.core.Ordered;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.servlet.ModelAndView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 503 answer: for a borrow the waiter cap rejected and for an acquire timeout, found
 * through Spring's wrappers, with {@code Retry-After} and a problem body that holds no
 * stack trace and no pool; nothing for any other failure.
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
	}

	@Test
	void comesJustAfterSpringMvcsOwnResolvers() {
		assertThat(this.resolver.getOrder()).isEqualTo(1).isLessThan(Ordered.LOWEST_PRECEDENCE);
	}

}
