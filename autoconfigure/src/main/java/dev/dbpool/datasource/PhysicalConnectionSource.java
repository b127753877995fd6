package dev.dbpool.datasource;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.retry.Retrier;
import dev.dbpool.settings.RetryPolicy;
import dev.dbpool.settings.JdbcUrls;
import dev.dbpool.settings.PostgresLimits;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * The {@link DataSource} through which HikariCP opens a pool's physical connections: it
 * counts the connections opened and the attempts that failed, and remembers when the last
 * of each happened, which HikariCP itself does not tell.
 * <p>
 * It wraps HikariCP's own {@link DriverDataSource}, built from the pool's JDBC URL,
 * driver, driver properties and credentials, so a connection is opened exactly as
 * HikariCP would open it. It sits on the path that opens connections (HikariCP's own
 * thread, a few times a minute at most), never on the path that borrows them.
 * <p>
 * It is also where db-pool retries: an attempt that fails because the server is
 * restarting, failing over or out of slots (by its SQLState, see {@link Retrier}) is
 * followed by another after an exponential backoff with jitter ({@link RetryPolicy}), as
 * long as the whole opening stays within the pool's acquire timeout
 * ({@code connectionTimeout}). HikariCP opens connections on its own thread (and on the
 * caller's only for the first one, when the pool starts); a caller of
 * {@code getConnection()} waiting for a connection gets the one the retries open. Nothing
 * else is retried: not a statement, nothing inside a transaction (a borrowed connection
 * never comes back here), not a borrow the pool rejects or times out. Every failed
 * attempt counts in {@link #getFailed()} and {@link #getFailedInARow()}, every retry in
 * {@link #getRetries()}; one WARN line is logged when a failing streak first retries, a
 * DEBUG line for each retry, and an INFO line when a connection opens again after it.
 * <p>
 * It also opens the pool's {@link SideConnections side connections}, from the same driver
 * data source, without retries and without counting them.
 * <p>
 * Where the password may change while the pool runs (a password file, or a
 * {@link com.zaxxer.hikari.HikariCredentialsProvider} bean), every connection, the pool's
 * and the side ones, is opened with the credentials as they are at that moment; a refusal
 * ({@code 28xxx}) says where the password came from, never what it is, and is logged at
 * WARN once per failing streak, as is a password that cannot be had ({@code F0000}: the
 * file is missing, the provider failed).
 *
 * @author db-pool
 * @since 0.2.0
 */
public final class PhysicalConnectionSource implements DataSource, SideConnections {

	private static final Log logger = LogFactory.getLog(PhysicalConnectionSource.class);

	private final DataSource driver;

	private final Retrier retrier;

	private final HikariDataSource pool;

	private final AtomicLong retries = new AtomicLong();

	private final AtomicBoolean streakLogged = new AtomicBoolean();

	private final AtomicLong opened = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong failedInARow = new AtomicLong();

	private volatile @Nullable Instant lastOpened;

	private volatile @Nullable Instant lastFailed;

	private volatile @Nullable String lastFailure;

	private volatile @Nullable Instant failingSince;

	private final @Nullable String sessionSql;

	private final Function<String, DataSource> sideDrivers;

	private final BiFunction<String, String, DataSource> hostDrivers;

	private final Map<String, DataSource> sides = new ConcurrentHashMap<>();

	private volatile @Nullable Failovers failovers;

	private final @Nullable ConnectionCredentials credentials;

	PhysicalConnectionSource(DataSource driver, RetryPolicy retry, HikariDataSource pool, @Nullable String sessionSql) {
		this(driver, retry, pool, sessionSql, (purpose) -> driver, (host, purpose) -> driver, null);
	}

	private PhysicalConnectionSource(DataSource driver, RetryPolicy retry, HikariDataSource pool,
			@Nullable String sessionSql, Function<String, DataSource> sideDrivers,
			BiFunction<String, String, DataSource> hostDrivers, @Nullable ConnectionCredentials credentials) {
		this.driver = driver;
		this.credentials = credentials;
		this.sideDrivers = sideDrivers;
		this.hostDrivers = hostDrivers;
		this.sessionSql = sessionSql;
		// Read at each opening: the acquire timeout and the name may change at run time.
		this.retrier = new Retrier(retry, pool::getConnectionTimeout, this::retrying);
		this.pool = pool;
	}

	/**
	 * Make a pool open its connections through a {@code PhysicalConnectionSource}. Only a
	 * pool that has not started and that opens its connections from a JDBC URL can be
	 * observed this way; the settings it is given later are not seen, so call this once
	 * the pool is fully configured.
	 * @param pool the pool
	 * @param retry how to retry an attempt to open a connection that failed because the
	 * server may recover ({@link RetryPolicy#NONE} not to)
	 * @param sessionSql a statement to run on each connection as it opens, before the
	 * pool or a guard uses it (server settings behind a pooler in session mode), or
	 * {@code null}
	 * @return the source the pool opens its connections through, or {@code null} if it
	 * cannot be observed
	 * @since 0.5.0
	 */
	public static @Nullable PhysicalConnectionSource install(HikariDataSource pool, RetryPolicy retry,
			@Nullable String sessionSql) {
		return install(pool, retry, sessionSql, null);
	}

	// With credentials that may change: asked for each connection instead of those
	// HikariCP passes.
	static @Nullable PhysicalConnectionSource install(HikariDataSource pool, RetryPolicy retry,
			@Nullable String sessionSql, @Nullable ConnectionCredentials credentials) {
		PhysicalConnectionSource existing = of(pool);
		if (existing != null || pool.getHikariPoolMXBean() != null || pool.getDataSource() != null
				|| pool.getDataSourceClassName() != null || pool.getDataSourceJNDI() != null
				|| pool.getJdbcUrl() == null) {
			return existing;
		}
		Properties properties = pool.getDataSourceProperties();
		DriverDataSource driver;
		try {
			driver = driver(pool, properties);
		}
		catch (RuntimeException ex) {
			// No driver for the URL: HikariCP reports it when the pool starts, as it
			// would have anyway.
			return null;
		}
		PhysicalConnectionSource source = new PhysicalConnectionSource(driver, retry, pool, sessionSql,
				(purpose) -> driver(pool, named(properties, purpose)),
				(host, purpose) -> new DriverDataSource(JdbcUrls.withHost(pool.getJdbcUrl(), host),
						pool.getDriverClassName(), named(properties, purpose), pool.getUsername(), pool.getPassword()),
				credentials);
		pool.setDataSource(source);
		return source;
	}

	/**
	 * Make a pool open its connections through a {@code PhysicalConnectionSource}, with
	 * nothing run on a connection as it opens.
	 * @param pool the pool
	 * @param retry how to retry an attempt to open a connection
	 * @return the source, or {@code null} if the pool cannot be observed
	 * @see #install(HikariDataSource, RetryPolicy, String)
	 * @since 0.3.0
	 */
	public static @Nullable PhysicalConnectionSource install(HikariDataSource pool, RetryPolicy retry) {
		return install(pool, retry, null);
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
		if (this.credentials != null) {
			return getConnection(this.pool.getUsername(), this.pool.getPassword());
		}
		return this.retrier.call(() -> attempt(this.driver::getConnection));
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		// HikariCP passes its current credentials each time, so a rotated password
		// applies to the next connection.
		return this.retrier.call(() -> attempt(() -> open(this.driver, username, password)));
	}

	// The credentials as they are now, where they may change.
	private Connection open(DataSource driver, @Nullable String username, @Nullable String password)
			throws SQLException {
		ConnectionCredentials credentials = this.credentials;
		if (credentials == null) {
			return (username != null) ? driver.getConnection(username, password) : driver.getConnection();
		}
		return credentials.connect(driver, username);
	}

	private static DriverDataSource driver(HikariDataSource pool, Properties properties) {
		return new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(), properties, pool.getUsername(),
				pool.getPassword());
	}

	// The side connection's name travels in its start-up packet: a SET after connecting
	// would, behind a pooler in transaction mode, stay on a server session that the
	// pool's own connections use next.
	private static Properties named(Properties pool, String purpose) {
		Properties properties = new Properties();
		properties.putAll(pool);
		String name = PGProperty.APPLICATION_NAME.getName();
		properties.setProperty(name, PostgresLimits.sideApplicationName(pool.getProperty(name, ""), purpose));
		return properties;
	}

	@Override
	public Connection open(String purpose) throws SQLException {
		DataSource side = this.sides.computeIfAbsent(purpose, this.sideDrivers);
		// The pool's current credentials, as HikariCP passes them for its own.
		return initialized(open(side, this.pool.getUsername(), this.pool.getPassword()));
	}

	@Override
	public Connection open(String host, String purpose) throws SQLException {
		DataSource side = this.sides.computeIfAbsent(purpose + " on " + host,
				(key) -> this.hostDrivers.apply(host, purpose));
		return initialized(open(side, this.pool.getUsername(), this.pool.getPassword()));
	}

	private Connection attempt(Retrier.Attempt<Connection> open) throws SQLException {
		try {
			return opened(initialized(open.attempt()));
		}
		catch (SQLException | RuntimeException ex) {
			failed(ex);
			throw ex;
		}
	}

	private Connection initialized(Connection connection) throws SQLException {
		if (this.sessionSql != null) {
			try (Statement statement = connection.createStatement()) {
				statement.execute(this.sessionSql);
			}
			catch (SQLException ex) {
				connection.close();
				throw ex;
			}
		}
		return connection;
	}

	private void retrying(Exception failure, int retry, long waitNanos) {
		this.retries.incrementAndGet();
		int left = this.retrier.policy().maxAttempts() - retry;
		if (this.streakLogged.compareAndSet(false, true)) {
			// Once per failing streak: a restart must not flood the log.
			logger.warn("db-pool: pool '" + this.pool.getPoolName() + "': opening a connection failed ("
					+ SqlFailures.describe(failure) + "); retrying up to " + left + " more time"
					+ ((left != 1) ? "s" : "") + " with backoff");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("db-pool: pool '" + this.pool.getPoolName() + "': opening a connection failed ("
					+ SqlFailures.describe(failure) + "); retry " + retry + " in "
					+ TimeUnit.NANOSECONDS.toMillis(waitNanos) + "ms");
		}
	}

	// Told of each pool connection it opens, not of side connections.
	void watch(Failovers failovers) {
		this.failovers = failovers;
	}

	private Connection opened(Connection connection) {
		Failovers failovers = this.failovers;
		if (failovers != null) {
			failovers.opened(connection);
		}
		this.opened.incrementAndGet();
		long failedBefore = this.failedInARow.getAndSet(0);
		Instant since = this.failingSince;
		this.failingSince = null;
		Instant now = Instant.now();
		this.lastOpened = now;
		// The end of a streak whose start was logged: the story's last line.
		if (this.streakLogged.get() && this.streakLogged.compareAndSet(true, false) && logger.isInfoEnabled()) {
			logger.info("db-pool: pool '" + this.pool.getPoolName() + "': opened a connection again after "
					+ failedBefore + " failed attempt" + ((failedBefore != 1) ? "s" : "")
					+ ((since != null) ? " over " + Durations.format(Duration.between(since, now)) : ""));
		}
		return connection;
	}

	private void failed(Exception ex) {
		this.failed.incrementAndGet();
		Instant now = Instant.now();
		if (this.failedInARow.getAndIncrement() == 0) {
			this.failingSince = now;
		}
		this.lastFailed = now;
		this.lastFailure = SqlFailures.describe(ex);
		if (this.credentials != null && ex instanceof SQLException sql
				&& (ConnectionCredentials.isRefusal(sql) || ConnectionCredentials.UNAVAILABLE.equals(sql.getSQLState()))
				&& this.streakLogged.compareAndSet(false, true)) {
			// Not retried, so said here: once per failing streak.
			logger.warn("db-pool: pool '" + this.pool.getPoolName() + "': opening a connection failed ("
					+ this.lastFailure + "); the pool keeps serving on the connections it has, and reads the "
					+ "credentials again for each new connection");
		}
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
	 * Return how an attempt to open a connection is retried.
	 * @return the policy
	 * @since 0.3.0
	 */
	public RetryPolicy getRetryPolicy() {
		return this.retrier.policy();
	}

	/**
	 * Return how many times an attempt to open a connection was retried: each is also
	 * counted, if it failed, in {@link #getFailed()}.
	 * @return the number of retries
	 * @since 0.3.0
	 */
	public long getRetries() {
		return this.retries.get();
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
