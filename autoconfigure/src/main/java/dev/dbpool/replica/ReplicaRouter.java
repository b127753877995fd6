package dev.dbpool.replica;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import org.jspecify.annotations.Nullable;

/**
 * Where read-only work gets its connection: the read replica's pool while the
 * {@link ReadReplica} takes reads, else the fallback (one of the primary's connections,
 * set read only, or a {@link ReplicaUnavailableException}). It is the read-only
 * {@code DataSource} of Spring's {@code LazyConnectionDataSourceProxy}
 * ({@code setReadOnlyDataSource}), which asks it for a connection at the first statement
 * of a transaction Spring marked read only; everything else goes to the primary's pool
 * without passing here.
 *
 * @author db-pool
 * @since 0.7.0
 */
public final class ReplicaRouter implements DataSource {

	private final HikariDataSource primary;

	private final HikariDataSource replica;

	private final ReadReplica state;

	/**
	 * Create a router.
	 * @param primary the primary's pool
	 * @param replica the replica's pool
	 * @param state the replica's guard, which decides
	 */
	public ReplicaRouter(HikariDataSource primary, HikariDataSource replica, ReadReplica state) {
		this.primary = primary;
		this.replica = replica;
		this.state = state;
	}

	/**
	 * Return the replica's pool.
	 * @return the pool
	 */
	public HikariDataSource getReplica() {
		return this.replica;
	}

	@Override
	public Connection getConnection() throws SQLException {
		if (this.state.takesReads()) {
			try {
				return this.replica.getConnection();
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

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		// As HikariCP: a pool's connections all have its own credentials.
		throw new SQLFeatureNotSupportedException();
	}

	@Override
	public @Nullable PrintWriter getLogWriter() throws SQLException {
		return this.replica.getLogWriter();
	}

	@Override
	public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
		this.replica.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.replica.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.replica.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		throw new SQLFeatureNotSupportedException();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		if (iface.isInstance(this)) {
			return iface.cast(this);
		}
		return this.replica.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return iface.isInstance(this) || this.replica.isWrapperFor(iface);
	}

}
