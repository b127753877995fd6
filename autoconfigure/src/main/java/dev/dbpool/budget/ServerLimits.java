package dev.dbpool.budget;

import org.jspecify.annotations.Nullable;

/**
 * What the server said, at start-up, about the connections it can give a role in a
 * database: its limits and the connections others hold at that moment.
 * <p>
 * "Others" are the server's client backends other than the connection that read them and
 * other than those carrying the pool's own {@code application_name}: the other instances
 * of the fleet carry that name too, and they are counted in the fleet's demand instead.
 *
 * @param maxConnections the server's {@code max_connections}
 * @param superuserReservedConnections the server's {@code superuser_reserved_connections}
 * @param reservedConnections the server's {@code reserved_connections} (PostgreSQL 16 and
 * later), or {@code null} where the server has no such setting
 * @param role the role the pool logs in as
 * @param superuser whether the role is a superuser: no role or database limit applies to
 * it, and it may use the reserved slots
 * @param roleConnectionLimit the role's {@code CONNECTION LIMIT} ({@code rolconnlimit}),
 * -1 for none
 * @param database the database the pool connects to
 * @param databaseConnectionLimit the database's {@code CONNECTION LIMIT}
 * ({@code datconnlimit}), -1 for none
 * @param usedOnServer client connections others hold on the server
 * @param usedByRole connections others hold as the role, in any database
 * @param usedInDatabase connections others hold in the database, as any role
 * @author db-pool
 * @since 0.3.0
 */
record ServerLimits(int maxConnections, int superuserReservedConnections, @Nullable Integer reservedConnections,
		String role, boolean superuser, int roleConnectionLimit, String database, int databaseConnectionLimit,
		int usedOnServer, int usedByRole, int usedInDatabase) {

	/**
	 * {@code rolconnlimit} and {@code datconnlimit} of a role or database without one.
	 */
	public static final int NO_LIMIT = -1;

}
