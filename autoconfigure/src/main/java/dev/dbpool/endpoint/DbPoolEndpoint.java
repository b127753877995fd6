package dev.dbpool.endpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PoolResize;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.settings.PoolSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code dbpool} actuator endpoint: each pool db-pool built (the primary's, and a
 * read replica's), its state, and every effective setting with where it came from; and,
 * as a write operation, the pool's {@code maxConnections} and {@code minConnections}
 * changed while it runs ({@link DbPoolDataSource#resize}). A size that is not allowed is
 * refused with 400 Bad Request, saying why. Like every actuator endpoint, it is reachable
 * over HTTP only where the application exposes it
 * ({@code management.endpoints.web.exposure.include}); its write operation only where its
 * access is unrestricted ({@code management.endpoint.dbpool.access}).
 *
 * @author db-pool
 * @since 0.8.0
 */
@Endpoint(id = "dbpool")
public class DbPoolEndpoint {

	/** What a change through the endpoint gives as its reason, in the log line. */
	public static final String REASON = "the dbpool endpoint";

	private final Supplier<? extends Map<String, DbPoolDataSource>> pools;

	/**
	 * Create the endpoint.
	 * @param pools the pools db-pool built, by pool name, asked for at each operation
	 */
	public DbPoolEndpoint(Supplier<? extends Map<String, DbPoolDataSource>> pools) {
		this.pools = pools;
	}

	/**
	 * Describe every pool db-pool built.
	 * @return the pools, by name
	 */
	@ReadOperation
	public PoolsDescriptor pools() {
		Map<String, PoolDescriptor> pools = new LinkedHashMap<>();
		this.pools.get().forEach((name, pool) -> pools.put(name, describe(pool)));
		return new PoolsDescriptor(pools);
	}

	/**
	 * Describe one pool.
	 * @param name the pool's name
	 * @return the pool, or {@code null} (404) if db-pool built none of that name
	 */
	@ReadOperation
	public @Nullable PoolDescriptor pool(@Selector String name) {
		DbPoolDataSource pool = this.pools.get().get(name);
		return (pool != null) ? describe(pool) : null;
	}

	/**
	 * Change a running pool's size.
	 * @param name the pool's name
	 * @param maxConnections the new max-connections, or {@code null} to keep it
	 * @param minConnections the new min-connections, or {@code null} to keep it
	 * @return the pool as it is now, or {@code null} (404) if db-pool built none of that
	 * name
	 * @throws InvalidEndpointRequestException (400) if neither is given, or a value is
	 * not allowed
	 */
	@WriteOperation
	public @Nullable PoolDescriptor resize(@Selector String name, @Nullable Integer maxConnections,
			@Nullable Integer minConnections) {
		DbPoolDataSource pool = this.pools.get().get(name);
		if (pool == null) {
			return null;
		}
		if (maxConnections == null && minConnections == null) {
			String message = "Give maxConnections, minConnections or both";
			throw new InvalidEndpointRequestException(message, message);
		}
		try {
			pool.resize(maxConnections, minConnections, REASON);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
		return describe(pool);
	}

	private static PoolDescriptor describe(DbPoolDataSource pool) {
		PoolSettings settings = pool.getSettings();
		HikariPoolMXBean running = pool.getHikariPoolMXBean();
		String state = pool.isClosed() ? "closed" : (running == null) ? "not started" : "running";
		Map<String, SettingDescriptor> described = new LinkedHashMap<>();
		if (settings != null) {
			settings.sources().forEach((setting, source) -> described.put(setting, describe(source)));
		}
		List<PoolResize> resizes = pool.resizes();
		if (!resizes.isEmpty() && settings != null) {
			// The size now, as the last change left it.
			PoolResize last = resizes.get(resizes.size() - 1);
			described.put(settings.setting(PoolSettings.MAX_CONNECTIONS),
					new SettingDescriptor(String.valueOf(pool.getMaximumPoolSize()), changedBy(last)));
			described.put(settings.setting(PoolSettings.MIN_CONNECTIONS),
					new SettingDescriptor(String.valueOf(pool.getMinimumIdle()), changedBy(last)));
		}
		return new PoolDescriptor((settings != null && settings.replica() != null) ? "replica" : "primary", state,
				(running != null) ? running.getActiveConnections() : 0,
				(running != null) ? running.getIdleConnections() : 0,
				(running != null) ? running.getTotalConnections() : 0,
				(running != null) ? running.getThreadsAwaitingConnection() : 0, pool.getMaximumPoolSize(),
				pool.getMinimumIdle(), described, new ArrayList<>(resizes));
	}

	private static SettingDescriptor describe(ConfiguredValue source) {
		String from = source.source();
		if (!source.name().equals(source.setting())) {
			from = source.name() + " (" + from + ")";
		}
		return new SettingDescriptor(source.value(), from);
	}

	private static String changedBy(PoolResize resize) {
		return "changed at run time by " + resize.reason() + " at " + resize.time();
	}

	/**
	 * The pools db-pool built.
	 *
	 * @param pools each pool, by name
	 */
	public record PoolsDescriptor(Map<String, PoolDescriptor> pools) implements OperationResponseBody {

	}

	/**
	 * One pool: its role, state and size now, every effective setting and the changes of
	 * its size at run time.
	 *
	 * @param role {@code primary}, or {@code replica} for a read replica's pool
	 * @param state {@code not started}, {@code running} or {@code closed}
	 * @param active connections borrowed
	 * @param idle connections ready to borrow
	 * @param total connections open
	 * @param threadsAwaiting threads waiting for a connection
	 * @param maxConnections max-connections now
	 * @param minConnections min-connections now
	 * @param settings every effective setting, by name, with where it came from
	 * @param resizes the last changes of its size at run time, oldest first
	 */
	public record PoolDescriptor(String role, String state, int active, int idle, int total, int threadsAwaiting,
			int maxConnections, int minConnections, Map<String, SettingDescriptor> settings,
			List<PoolResize> resizes) implements OperationResponseBody {

	}

	/**
	 * A setting's effective value and where it came from.
	 *
	 * @param value the value, as shown (never a password)
	 * @param source where it came from: the property or variable that set it and its
	 * source, a profile, the default, or what derived it
	 */
	public record SettingDescriptor(String value, String source) {

	}

}
