package dev.dbpool.pool;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The HikariCP pool db-pool builds: a {@link HikariDataSource} (so it is injected,
 * unwrapped and bound to meters as one) and the one place db-pool's guards touch the
 * borrow path. Each guard is set up before the pool starts and costs nothing when it is
 * off.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class DbPoolDataSource extends HikariDataSource {

	@Override
	public Connection getConnection() throws SQLException {
		return super.getConnection();
	}

}
