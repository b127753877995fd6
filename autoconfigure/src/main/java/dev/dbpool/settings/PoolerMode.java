package dev.dbpool.settings;

import java.util.Locale;

/**
 * What sits between the pool and PostgreSQL, as {@code app.db.pool.pooler.mode} names it:
 * it decides how db-pool applies its server settings and whether the driver may keep
 * prepared statements on the server.
 *
 * @author db-pool
 * @since 0.5.0
 */
public enum PoolerMode {

	/**
	 * No pooler: each connection is a server session of its own. The server settings
	 * travel in the start-up packet ({@code options}).
	 */
	NONE,

	/**
	 * PgBouncer with {@code pool_mode = session}: each connection holds one server
	 * session while it is open. PgBouncer refuses {@code options}, so db-pool sets its
	 * server settings once per connection, when it opens.
	 */
	PGBOUNCER_SESSION,

	/**
	 * PgBouncer with {@code pool_mode = transaction}: each transaction may run on another
	 * server session, shared with other clients. A session setting would leak to them and
	 * would not follow this pool, so db-pool sets none; it checks at start-up that the
	 * server applies its timeouts (the role's own settings) and turns server-side
	 * prepared statements off unless the pooler tracks them.
	 */
	PGBOUNCER_TRANSACTION,

	/**
	 * Work it out at start-up, over a connection beside the pool, and log what was found.
	 */
	AUTO;

	/**
	 * Return the name as configured, e.g. {@code pgbouncer-session}.
	 * @return the name
	 */
	public String externalName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * Whether connections go through a pooler rather than straight to the server.
	 * @return whether a pooler is in between
	 */
	public boolean isPooler() {
		return this == PGBOUNCER_SESSION || this == PGBOUNCER_TRANSACTION;
	}

}
