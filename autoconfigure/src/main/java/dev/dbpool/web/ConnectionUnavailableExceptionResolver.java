package dev.dbpool.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.replica.ReplicaUnavailableException;
import dev.dbpool.waiting.PoolSaturatedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a request that failed because the database was not available to it with
 * {@code 503 Service Unavailable}, a {@code Retry-After} header and an RFC 9457 problem
 * body ({@code application/problem+json}), instead of a 500:
 * <ul>
 * <li>it could not get a connection: the pool's waiter cap rejected the borrow
 * ({@link PoolSaturatedException}), or the acquire timeout passed (HikariCP's
 * {@link SQLTransientConnectionException});</li>
 * <li>it had one, and lost it while it used it: a statement, commit or rollback failed
 * with a SQLState of class {@code 08}, connection exception ({@code 08006} connection
 * failure, {@code 08003} connection does not exist, ...), or {@code 57P01} admin
 * shutdown, {@code 57P02} crash shutdown, {@code 57P03} cannot connect now: the server
 * restarted, failed over, or ended the session ({@code pg_terminate_backend}). HikariCP
 * drops such a connection, so the next request gets another.</li>
 * </ul>
 * Each is found anywhere in the cause chain, so also inside Spring's
 * {@code CannotGetJdbcConnectionException}, {@code CannotCreateTransactionException},
 * {@code TransactionSystemException}, the {@code DataAccessResourceFailureException} that
 * JdbcTemplate and JdbcClient make of a lost connection, or a JPA provider's exception;
 * the SQLState is the first one {@link SqlFailures#sqlState(Throwable)} finds, since the
 * type of Spring's wrapper does not tell a lost connection from a protocol violation.
 * <p>
 * {@code 08P01}, protocol violation, is not answered so, although it is of class
 * {@code 08}: the client and the server (or a connection pooler such as PgBouncer, which
 * answers {@code 08P01 unsupported startup parameter}) did not understand each other.
 * That is a fault of the configuration or of the software, not a database that went away,
 * and a retry will not heal it. Unless it came with severity {@code FATAL}
 * ({@link SqlFailures#isFatal(Throwable)}): then a pooler ended the session under the
 * statement, as PgBouncer reports it when it closes a client's connection
 * ({@code database removed} on its console's {@code KILL}, {@code server conn crashed?}),
 * and the connection is lost. Neither is any other failure of a statement (a constraint
 * violation, a missing table, a serialization failure, a statement timeout, ...): it is
 * left to the application's handling and Spring MVC's (usually a 500).
 * <p>
 * The body says which of the three happened (the pool is saturated, no connection came in
 * time, the connection was lost) and names the request's path; never a stack trace, a
 * URL, a statement or the pool. A response already committed (the handler had started
 * writing it) is left as it is. Ordered just after Spring MVC's own resolvers, so that
 * the application's {@code @ExceptionHandler} methods win. It logs one DEBUG line per
 * answer, with the exception's message only.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class ConnectionUnavailableExceptionResolver implements HandlerExceptionResolver, Ordered {

	/**
	 * The order: just after Spring MVC's own resolvers ({@code @ExceptionHandler},
	 * {@code @ResponseStatus}, Spring MVC's exceptions), whose order is 0.
	 */
	public static final int ORDER = 1;

	/** Problem detail when the waiter cap rejected the borrow. */
	public static final String SATURATED = "The database connection pool is saturated; retry later.";

	/** Problem detail when the acquire timeout passed. */
	public static final String TIMED_OUT = "No database connection became available in time; retry later.";

	/**
	 * Problem detail when the connection died under a statement: the server restarted,
	 * failed over or ended the session.
	 * @since 0.4.0
	 */
	public static final String CONNECTION_LOST = "The connection to the database was lost; retry later.";

	/**
	 * Problem detail when read-only work found the read replica unavailable and its
	 * fallback is {@code fail}.
	 * @since 0.7.0
	 */
	public static final String REPLICA_UNAVAILABLE = "The read replica is unavailable; retry later.";

	private static final String PROBLEM_JSON = "application/problem+json";

	// A cause chain longer than this is cut short (and a cyclic one ends).
	private static final int MAX_CAUSES = 64;

	private static final Log logger = LogFactory.getLog(ConnectionUnavailableExceptionResolver.class);

	private final String retryAfter;

	/**
	 * Create a resolver.
	 * @param retryAfter the time after which to retry, sent in the {@code Retry-After}
	 * header rounded up to whole seconds
	 */
	public ConnectionUnavailableExceptionResolver(Duration retryAfter) {
		long seconds = retryAfter.toSeconds() + ((retryAfter.toNanosPart() > 0) ? 1 : 0);
		this.retryAfter = Long.toString(Math.max(0, seconds));
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		Throwable cause = connectionUnavailable(ex);
		// The SQLState only after those: HikariCP's timeout carries the SQLState of the
		// last failure to connect (08001), yet no connection was lost.
		String sqlState = (cause != null) ? null : SqlFailures.sqlState(ex);
		if ((cause == null && !SqlFailures.isConnectionLost(sqlState, SqlFailures.isFatal(ex)))
				|| response.isCommitted()) {
			return null;
		}
		if (logger.isDebugEnabled()) {
			String reason = (cause != null) ? cause.getMessage() : "lost the connection (" + sqlState + "): "
					+ NestedExceptionUtils.getMostSpecificCause(ex).getMessage();
			logger.debug("db-pool: answered " + request.getMethod() + " " + request.getRequestURI()
					+ " with 503 Service Unavailable: " + reason);
		}
		String detail = (cause == null) ? CONNECTION_LOST : (cause instanceof PoolSaturatedException) ? SATURATED
				: (cause instanceof ReplicaUnavailableException) ? REPLICA_UNAVAILABLE : TIMED_OUT;
		byte[] body = problem(detail, request.getRequestURI()).getBytes(StandardCharsets.UTF_8);
		response.resetBuffer();
		response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
		response.setHeader("Retry-After", this.retryAfter);
		response.setContentType(PROBLEM_JSON);
		response.setCharacterEncoding(StandardCharsets.UTF_8);
		response.setContentLength(body.length);
		try {
			response.getOutputStream().write(body);
		}
		catch (IOException | IllegalStateException ex2) {
			// The client has gone, or the handler took the writer: the status stands.
			logger.debug("db-pool: could not write the 503 body: " + ex2.getMessage());
		}
		return new ModelAndView();
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Return the exception in the cause chain that says no connection could be had: a
	 * {@link PoolSaturatedException} if there is one, else the first
	 * {@link SQLTransientConnectionException}.
	 * @param ex the exception a handler threw
	 * @return the cause, or {@code null} if the failure is of another kind
	 */
	static @Nullable Throwable connectionUnavailable(Throwable ex) {
		Throwable timedOut = null;
		Throwable cause = ex;
		for (int i = 0; cause != null && i < MAX_CAUSES; i++) {
			if (cause instanceof PoolSaturatedException) {
				return cause;
			}
			if (timedOut == null && cause instanceof SQLTransientConnectionException) {
				timedOut = cause;
			}
			cause = cause.getCause();
		}
		return timedOut;
	}

	private static String problem(String detail, String instance) {
		StringBuilder json = new StringBuilder(200);
		json.append("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":");
		appendString(json, detail);
		json.append(",\"instance\":");
		appendString(json, instance);
		return json.append('}').toString();
	}

	private static void appendString(StringBuilder json, String value) {
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		json.append('"');
	}

}
