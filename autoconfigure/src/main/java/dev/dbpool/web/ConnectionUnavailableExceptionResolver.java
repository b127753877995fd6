package dev.dbpool.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import dev.dbpool.waiting.PoolSaturatedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a request that failed because it could not get a database connection with
 * {@code 503 Service Unavailable}, a {@code Retry-After} header and an RFC 9457 problem
 * body ({@code application/problem+json}), instead of a 500: the pool's waiter cap
 * rejected the borrow ({@link PoolSaturatedException}), or the acquire timeout passed
 * (HikariCP's {@link SQLTransientConnectionException}). Either is found anywhere in the
 * cause chain, so also inside Spring's {@code CannotGetJdbcConnectionException} or
 * {@code CannotCreateTransactionException}.
 * <p>
 * The body says which of the two happened and names the request's path; never a stack
 * trace, a URL or the pool. Ordered just after Spring MVC's own resolvers, so that the
 * application's {@code @ExceptionHandler} methods win. It logs one DEBUG line per answer,
 * with the exception's message only.
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
		if (cause == null || response.isCommitted()) {
			return null;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("db-pool: answered " + request.getMethod() + " " + request.getRequestURI()
					+ " with 503 Service Unavailable: " + cause.getMessage());
		}
		String detail = (cause instanceof PoolSaturatedException) ? SATURATED : TIMED_OUT;
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
