package dev.dbpool.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.dbpool.endpoint.DbPoolEndpoint.PoolDescriptor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@code dbpool} endpoint over HTTP: a size that is not allowed is answered 400 Bad
 * Request with a body that says why ({@code message}), which Spring Boot's error page
 * would leave out by default ({@code server.error.include-message=never}).
 *
 * @author db-pool
 * @since 0.8.0
 */
@EndpointWebExtension(endpoint = DbPoolEndpoint.class)
public class DbPoolEndpointWebExtension {

	private final DbPoolEndpoint endpoint;

	/**
	 * Create the extension.
	 * @param endpoint the endpoint
	 */
	public DbPoolEndpointWebExtension(DbPoolEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/**
	 * Change a running pool's size.
	 * @param name the pool's name
	 * @param maxConnections the new max-connections, or {@code null} to keep it
	 * @param minConnections the new min-connections, or {@code null} to keep it
	 * @return the pool as it is now; 404 if db-pool built none of that name; 400 with a
	 * {@code message} if the size is not allowed
	 */
	@WriteOperation
	public WebEndpointResponse<Object> resize(@Selector String name, @Nullable Integer maxConnections,
			@Nullable Integer minConnections) {
		try {
			PoolDescriptor pool = this.endpoint.resize(name, maxConnections, minConnections);
			return (pool != null) ? new WebEndpointResponse<>(pool)
					: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		catch (InvalidEndpointRequestException ex) {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("status", WebEndpointResponse.STATUS_BAD_REQUEST);
			body.put("error", "Bad Request");
			body.put("message", ex.getReason());
			return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_BAD_REQUEST);
		}
	}

}
