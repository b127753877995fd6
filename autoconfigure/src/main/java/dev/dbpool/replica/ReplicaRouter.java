package dev.dbpool.replica;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Where read-only work gets its connection: the read replica's pool while the
 * {@link ReadReplica} takes reads, else the fallback (one of the primary's connections,
 * set read only, or a {@link ReplicaUnavailableException}). It is the read-only
 * {@code DataSource} of Spring's {@code LazyConnectionDataSourceProxy}
 * ({@code setReadOnlyDataSource}), which asks it for a connection at the first statement
 * of a transaction Spring marked read only; everything else goes to the primary's pool
 * without passing here. Everything but {@link #getConnection()} is the replica's pool's.
 *
 * @author db-pool
 * @since 0.7.0
 */
public final class ReplicaRouter extends DelegatingDataSource {

	private final HikariDataSource primary;

	private final ReadReplica state;

	/**
	 * Create a router.
	 * @param primary the primary's pool
	 * @param replica the replica's pool
	 * @param state the replica's guard, which decides
	 */
	public ReplicaRouter(HikariDataSource primary, HikariDataSource replica, ReadReplica state) {
		super(replica);
		this.primary = primary;
		this.state = state;
	}

	@Override
	public Connection getConnection() throws SQLException {
		if (this.state.takesReads()) {
			try {
				return obtainTargetDataSource().getConnection();
			}
			// HikariCP's first borrow starts the pool, and fails so if it cannot connect.
			catch (SQLException | PoolInitializationException ex) {
				if (!this.state.cannotOpen(ex)) {
					throw ex;
				}
			}
		}
		return this.state.fallBack(this.primary);
	}

}
