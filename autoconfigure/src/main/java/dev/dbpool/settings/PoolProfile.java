package dev.dbpool.settings;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Presets for a kind of workload. A preset is applied first: any setting given
 * explicitly, under {@code app.db.pool.*}, an environment variable or
 * {@code spring.datasource.hikari.*}, wins over it. A setting a preset leaves out keeps
 * its default.
 *
 * @author db-pool
 * @since 0.1.0
 */
public enum PoolProfile {

	/**
	 * Many short transactions: a wide pool, short waits, short statements.
	 */
	OLTP(50, 10, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMinutes(5), null),

	/**
	 * Few long jobs: a narrow pool, long waits, no statement timeout, long-lived
	 * connections.
	 */
	BATCH(10, 2, Duration.ofSeconds(30), Duration.ZERO, null, Duration.ofHours(2)),

	/**
	 * One of many small instances sharing a server: a small pool that gives idle
	 * connections back quickly.
	 */
	MICROSERVICE(5, 1, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofMinutes(1), null);

	private final int maxConnections;

	private final int minConnections;

	private final Duration acquireTimeout;

	private final Duration statementTimeout;

	private final @Nullable Duration idleTimeout;

	private final @Nullable Duration maxLifetime;

	PoolProfile(int maxConnections, int minConnections, Duration acquireTimeout, Duration statementTimeout,
			@Nullable Duration idleTimeout, @Nullable Duration maxLifetime) {
		this.maxConnections = maxConnections;
		this.minConnections = minConnections;
		this.acquireTimeout = acquireTimeout;
		this.statementTimeout = statementTimeout;
		this.idleTimeout = idleTimeout;
		this.maxLifetime = maxLifetime;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public int getMinConnections() {
		return this.minConnections;
	}

	public Duration getAcquireTimeout() {
		return this.acquireTimeout;
	}

	/**
	 * Return the preset statement timeout; {@link Duration#ZERO} for none.
	 * @return the statement timeout
	 */
	public Duration getStatementTimeout() {
		return this.statementTimeout;
	}

	/**
	 * Return the preset idle timeout, or {@code null} where the preset keeps the default.
	 * @return the idle timeout or {@code null}
	 */
	public @Nullable Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	/**
	 * Return the preset maximum lifetime, or {@code null} where the preset keeps the
	 * default.
	 * @return the maximum lifetime or {@code null}
	 */
	public @Nullable Duration getMaxLifetime() {
		return this.maxLifetime;
	}

	/**
	 * Return the name users write, e.g. {@code oltp}.
	 * @return the lower-case name
	 */
	public String externalName() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
