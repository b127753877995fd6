package dev.dbpool.pool;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DataSource} through which HikariCP opens a pool's physical connections: it
 * counts the connections opened and the attempts that failed, and remembers when the last
 * of each happened, which HikariCP itself does not tell.
 * <p>
 * It wraps HikariCP's own {@link DriverDataSource}, built from the pool's JDBC URL,
 * driver, driver properties and credentials, so a connection is opened exactly as
 * HikariCP would open it. It sits on the path that opens connections (HikariCP's own
 * thread, a few times a minute at most), never on the path that borrows them.
 *
 * @author db-pool
 * @since 0.2.0
 */
public final class PhysicalConnectionSource implements DataSource {

	private final DataSource driver;

	private final AtomicLong opened = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong failedInARow = new AtomicLong();

	private volatile @Nullable Instant lastOpened;

	private volatile @Nullable Instant lastFailed;

	private volatile @Nullable String lastFailure;

	private volatile @Nullable Instant failingSince;

	PhysicalConnectionSource(DataSource driver) {
		this.driver = driver;
	}

	/**
	 * Make a pool open its connections through a {@code PhysicalConnectionSource}. Only a
	 * pool that has not started and that opens its connections from a JDBC URL can be
	 * observed this way; the settings it is given later are not seen, so call this once
	 * the pool is fully configured.
	 * @param pool the pool
	 * @return the source the pool opens its connections through, or {@code null} if it
	 * cannot be observed
	 */
	public static @Nullable PhysicalConnectionSource install(HikariDataSource pool) {
		PhysicalConnectionSource existing = of(pool);
		if (existing != null || pool.getHikariPoolMXBean() != null || pool.getDataSource() != null
				|| pool.getDataSourceClassName() != null || pool.getDataSourceJNDI() != null
				|| pool.getJdbcUrl() == null) {
			return existing;
		}
		DriverDataSource driver;
		try {
			driver = new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(), pool.getDataSourceProperties(),
					pool.getUsername(), pool.getPassword());
		}
		catch (RuntimeException ex) {
			// No driver for the URL: HikariCP reports it when the pool starts, as it
			// would have anyway.
			return null;
		}
		PhysicalConnectionSource source = new PhysicalConnectionSource(driver);
		pool.setDataSource(source);
		return source;
	}

	/**
	 * Return the source a pool opens its connections through, if it is one.
	 * @param pool the pool
	 * @return the source, or {@code null} if the pool was not observed
	 */
	public static @Nullable PhysicalConnectionSource of(HikariDataSource pool) {
		return (pool.getDataSource() instanceof PhysicalConnectionSource source) ? source : null;
	}

	@Override
	public Connection getConnection() throws SQLException {
		try {
			return opened(this.driver.getConnection());
		}
		catch (SQLException | RuntimeException ex) {
			failed(ex);
			throw ex;
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		// HikariCP passes its current credentials each time, so a rotated password
		// applies to the next connection.
		try {
			return opened(this.driver.getConnection(username, password));
		}
		catch (SQLException | RuntimeException ex) {
			failed(ex);
			throw ex;
		}
	}

	private Connection opened(Connection connection) {
		this.opened.incrementAndGet();
		this.failedInARow.set(0);
		this.failingSince = null;
		this.lastOpened = Instant.now();
		return connection;
	}

	private void failed(Exception ex) {
		this.failed.incrementAndGet();
		Instant now = Instant.now();
		if (this.failedInARow.getAndIncrement() == 0) {
			this.failingSince = now;
		}
		this.lastFailed = now;
		String state = (ex instanceof SQLException sql && sql.getSQLState() != null) ? sql.getSQLState() + " " : "";
		this.lastFailure = state + ex.getMessage();
	}

	/**
	 * Return how many physical connections were opened.
	 * @return the number of connections opened
	 */
	public long getOpened() {
		return this.opened.get();
	}

	/**
	 * Return how many attempts to open a connection failed.
	 * @return the number of failed attempts
	 */
	public long getFailed() {
		return this.failed.get();
	}

	/**
	 * Return how many attempts failed since a connection was last opened: more than zero
	 * means the database cannot be reached now.
	 * @return the number of failed attempts in a row
	 */
	public long getFailedInARow() {
		return this.failedInARow.get();
	}

	/**
	 * Return when a connection was last opened.
	 * @return the time, or {@code null} if none was
	 */
	public @Nullable Instant getLastOpened() {
		return this.lastOpened;
	}

	/**
	 * Return when an attempt to open a connection last failed.
	 * @return the time, or {@code null} if none did
	 */
	public @Nullable Instant getLastFailed() {
		return this.lastFailed;
	}

	/**
	 * Return when the attempts that have failed since a connection was last opened began
	 * to fail.
	 * @return the time of the first of them, or {@code null} if the last attempt
	 * succeeded
	 */
	public @Nullable Instant getFailingSince() {
		return this.failingSince;
	}

	/**
	 * Return why the last failed attempt failed: its SQLState and message.
	 * @return the reason, or {@code null} if no attempt failed
	 */
	public @Nullable String getLastFailure() {
		return this.lastFailure;
	}

	@Override
	public @Nullable PrintWriter getLogWriter() throws SQLException {
		return this.driver.getLogWriter();
	}

	@Override
	public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
		this.driver.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.driver.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.driver.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.driver.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		return iface.isInstance(this) ? iface.cast(this) : this.driver.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return iface.isInstance(this) || this.driver.isWrapperFor(iface);
	}

}
