package dev.dbpool.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import org.postgresql.PGProperty;

/**
 * Connections db-pool opens for itself beside a pool, never from it: to read the server's
 * limits at start-up and the server's view of the pool while it runs, even when the pool
 * is exhausted. A side connection is opened exactly as the pool opens its own (same URL,
 * driver properties, current credentials), but carries an application_name of its own, so
 * that it is never counted among the pool's connections on the server.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class SideConnections {

	/** Longest application_name PostgreSQL keeps (NAMEDATALEN - 1). */
	private static final int MAX_NAME = 63;

	private SideConnections() {
	}

	/**
	 * Return the application_name a side connection carries.
	 * @param pool the pool
	 * @param purpose what the connection is for, e.g. {@code budget}
	 * @return the pool's application_name with {@code " [db-pool <purpose>]"} appended,
	 * shortened so that the server keeps the suffix
	 */
	public static String applicationName(HikariDataSource pool, String purpose) {
		String suffix = " [db-pool " + purpose + "]";
		String base = poolApplicationName(pool);
		return base.substring(0, Math.min(base.length(), Math.max(0, MAX_NAME - suffix.length()))) + suffix;
	}

	/**
	 * Return the application_name the pool's own connections carry.
	 * @param pool the pool
	 * @return the name, empty if the pool sets none
	 */
	public static String poolApplicationName(HikariDataSource pool) {
		String name = pool.getDataSourceProperties().getProperty(PGProperty.APPLICATION_NAME.getName());
		return (name != null) ? name : "";
	}

	/**
	 * Open a side connection. The caller closes it.
	 * @param pool the pool whose server to connect to; it must open its connections from
	 * a JDBC URL
	 * @param purpose what the connection is for, e.g. {@code budget}
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	public static Connection open(HikariDataSource pool, String purpose) throws SQLException {
		String url = pool.getJdbcUrl();
		if (url == null) {
			throw new SQLException("pool '" + pool.getPoolName() + "' has no JDBC URL to open a side connection from");
		}
		Properties properties = new Properties();
		properties.putAll(pool.getDataSourceProperties());
		properties.setProperty(PGProperty.APPLICATION_NAME.getName(), applicationName(pool, purpose));
		DriverDataSource driver = new DriverDataSource(url, pool.getDriverClassName(), properties, pool.getUsername(),
				pool.getPassword());
		return driver.getConnection();
	}

}
