package dev.dbpool.autoconfigure;

import java.time.Duration;

import dev.dbpool.settings.BudgetMode;
import dev.dbpool.settings.PoolProfile;
import dev.dbpool.settings.PoolSizing;
import dev.dbpool.settings.PoolerMode;
import dev.dbpool.settings.ReplicaFallback;
import dev.dbpool.settings.TimeoutCheck;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the db-pool starter: the HikariCP pool and the PostgreSQL
 * session settings of every connection in it.
 * <p>
 * Connection settings (URL, user name, password) stay under {@code spring.datasource.*}.
 * Where a setting here is also given under {@code spring.datasource.hikari.*} or in the
 * JDBC URL, the two must agree, or start-up fails naming both.
 *
 * @author db-pool
 * @since 0.1.0
 */
@ConfigurationProperties("app.db.pool")
public class DbPoolProperties {

	/**
	 * Whether db-pool builds and tunes the application's DataSource. When false, Spring
	 * Boot's own DataSource auto-configuration applies unchanged.
	 */
	private boolean enabled = true;

	/**
	 * Preset for a kind of workload, applied first; any setting given explicitly wins
	 * over it.
	 */
	private @Nullable PoolProfile profile;

	/**
	 * Largest number of connections the pool opens (HikariCP maximumPoolSize).
	 */
	private int maxConnections = 20;

	/**
	 * Number of idle connections the pool keeps open (HikariCP minimumIdle).
	 */
	private int minConnections = 5;

	/**
	 * Longest time a caller waits for a pooled connection before getting an error
	 * (HikariCP connectionTimeout). At least 250ms.
	 */
	private Duration acquireTimeout = Duration.ofSeconds(10);

	/**
	 * Time after which a connection idle above min-connections is closed (HikariCP
	 * idleTimeout). 0 keeps idle connections; otherwise at least 10s and below
	 * max-lifetime.
	 */
	private Duration idleTimeout = Duration.ofMinutes(10);

	/**
	 * Longest time a connection stays in the pool before it is retired and replaced
	 * (HikariCP maxLifetime). 0 for no limit; otherwise at least 30s.
	 */
	private Duration maxLifetime = Duration.ofMinutes(30);

	/**
	 * How often an idle connection is tested, so that firewalls and the server do not
	 * drop it (HikariCP keepaliveTime). 0 to switch off; otherwise at least 30s and below
	 * max-lifetime.
	 */
	private Duration keepaliveTime = Duration.ofMinutes(2);

	/**
	 * Longest time a connection's liveness test may take (HikariCP validationTimeout). At
	 * least 250ms and at most acquire-timeout. When not set and acquire-timeout is
	 * shorter than the default, half the acquire-timeout.
	 */
	private Duration validationTimeout = Duration.ofSeconds(5);

	/**
	 * Time a connection may be out of the pool before it is reported as a possible leak
	 * (HikariCP leakDetectionThreshold). 0 to switch off; otherwise at least 2s and at
	 * most max-lifetime.
	 */
	private Duration leakDetectionThreshold = Duration.ZERO;

	/**
	 * Longest time to open a new connection: the TCP connect and the start-up handshake
	 * with the server (driver connectTimeout and loginTimeout). Whole seconds, at least
	 * 1s.
	 */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Longest time the driver waits for the server to answer on an open connection
	 * (driver socketTimeout), so that a dead network never hangs a thread. Whole seconds;
	 * 0 derives it as statement-timeout plus 5s, or no limit when there is no statement
	 * timeout.
	 */
	private Duration socketTimeout = Duration.ZERO;

	/**
	 * Longest time the server runs one statement before cancelling it (PostgreSQL
	 * statement_timeout), set in each connection's start-up. 0 for no limit.
	 */
	private Duration statementTimeout = Duration.ofSeconds(30);

	/**
	 * Longest time a session may sit idle inside an open transaction before the server
	 * ends it (PostgreSQL idle_in_transaction_session_timeout). 0 for no limit.
	 */
	private Duration idleInTransactionTimeout = Duration.ofMinutes(5);

	/**
	 * Longest time a statement waits for a lock (PostgreSQL lock_timeout). When not set,
	 * the server's setting applies; 0 for no limit.
	 */
	private @Nullable Duration lockTimeout;

	/**
	 * Number of prepared statements the driver caches per connection (driver
	 * preparedStatementCacheQueries). 0 to switch off.
	 */
	private int statementCacheSize = 128;

	/**
	 * Name the connections carry on the server (PostgreSQL application_name), so that
	 * pg_stat_activity shows whose they are. Defaults to spring.application.name. At most
	 * 63 characters.
	 */
	private @Nullable String applicationName;

	/**
	 * Name of the pool in logs, thread names and the pool tag of the hikaricp.* meters
	 * (HikariCP poolName). Defaults to the application name followed by "-pool".
	 */
	private @Nullable String poolName;

	/**
	 * Number of copies of this application that share the database server (replicas,
	 * pods): the connection budget counts instances × max-connections against what the
	 * server can give.
	 */
	private int instances = 1;

	/**
	 * Most threads that may wait for a connection at once. When that many already wait,
	 * getConnection() fails at once with a PoolSaturatedException instead of waiting up
	 * to acquire-timeout. Unset (the default): no cap, as HikariCP.
	 */
	private @Nullable Integer maxWaiting;

	/**
	 * How the pool's size is chosen while it runs: fixed (max-connections) or adaptive (a
	 * limit between min-connections and max-connections that grows while threads wait and
	 * the database keeps up, and shrinks while hold times grow with the connections in
	 * use). Adaptive starts at 20 (or max-connections if smaller) and lowers the default
	 * min-connections to 2 so that it may go down to 2; it needs the monitor.
	 */
	private PoolSizing sizing = PoolSizing.FIXED;

	/**
	 * File holding the database password, e.g. a mounted Kubernetes secret. Read for each
	 * new physical connection when its modification time or size changed, so a rotated
	 * password applies to the next connection without a restart; connections already open
	 * stay until max-lifetime retires them. Wins over spring.datasource.password. Unset
	 * (the default): the configured password.
	 */
	private @Nullable String passwordFile;

	/**
	 * Checking, at start-up, that this fleet's connections fit what the server, the role
	 * and the database allow.
	 */
	private final Budget budget = new Budget();

	/**
	 * A connection pooler (PgBouncer) between the pool and PostgreSQL.
	 */
	private final Pooler pooler = new Pooler();

	/**
	 * A read replica (a streaming standby): read-only transactions go to a pool of its
	 * own, everything else to the primary's.
	 */
	private final Replicas replicas = new Replicas();

	/**
	 * Retrying, with backoff and jitter, an attempt to open a physical connection that
	 * failed because the server is restarting, failing over or out of slots.
	 */
	private final Retry retry = new Retry();

	/**
	 * Sampling of every HikariCP pool in the application: log lines and the state the
	 * dbPool health indicator and the db.pool.* meters read.
	 */
	private final Monitor monitor = new Monitor();

	/**
	 * The dbPool health indicator.
	 */
	private final Health health = new Health();

	/**
	 * The db.pool.* meters and the acquire-time distribution.
	 */
	private final Metrics metrics = new Metrics();

	/**
	 * Draining the pools when the application stops.
	 */
	private final Shutdown shutdown = new Shutdown();

	/**
	 * Answering, in a Spring MVC application, requests that could not get a connection or
	 * lost it.
	 */
	private final Web web = new Web();

	public int getInstances() {
		return this.instances;
	}

	public void setInstances(int instances) {
		this.instances = instances;
	}

	public @Nullable Integer getMaxWaiting() {
		return this.maxWaiting;
	}

	public PoolSizing getSizing() {
		return this.sizing;
	}

	public void setSizing(PoolSizing sizing) {
		this.sizing = sizing;
	}

	public void setMaxWaiting(@Nullable Integer maxWaiting) {
		this.maxWaiting = maxWaiting;
	}

	public @Nullable String getPasswordFile() {
		return this.passwordFile;
	}

	public void setPasswordFile(@Nullable String passwordFile) {
		this.passwordFile = passwordFile;
	}

	public Budget getBudget() {
		return this.budget;
	}

	public Pooler getPooler() {
		return this.pooler;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Replicas getReplicas() {
		return this.replicas;
	}

	public Web getWeb() {
		return this.web;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable PoolProfile getProfile() {
		return this.profile;
	}

	public void setProfile(@Nullable PoolProfile profile) {
		this.profile = profile;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMinConnections() {
		return this.minConnections;
	}

	public void setMinConnections(int minConnections) {
		this.minConnections = minConnections;
	}

	public Duration getAcquireTimeout() {
		return this.acquireTimeout;
	}

	public void setAcquireTimeout(Duration acquireTimeout) {
		this.acquireTimeout = acquireTimeout;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public Duration getMaxLifetime() {
		return this.maxLifetime;
	}

	public void setMaxLifetime(Duration maxLifetime) {
		this.maxLifetime = maxLifetime;
	}

	public Duration getKeepaliveTime() {
		return this.keepaliveTime;
	}

	public void setKeepaliveTime(Duration keepaliveTime) {
		this.keepaliveTime = keepaliveTime;
	}

	public Duration getValidationTimeout() {
		return this.validationTimeout;
	}

	public void setValidationTimeout(Duration validationTimeout) {
		this.validationTimeout = validationTimeout;
	}

	public Duration getLeakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getSocketTimeout() {
		return this.socketTimeout;
	}

	public void setSocketTimeout(Duration socketTimeout) {
		this.socketTimeout = socketTimeout;
	}

	public Duration getStatementTimeout() {
		return this.statementTimeout;
	}

	public void setStatementTimeout(Duration statementTimeout) {
		this.statementTimeout = statementTimeout;
	}

	public Duration getIdleInTransactionTimeout() {
		return this.idleInTransactionTimeout;
	}

	public void setIdleInTransactionTimeout(Duration idleInTransactionTimeout) {
		this.idleInTransactionTimeout = idleInTransactionTimeout;
	}

	public @Nullable Duration getLockTimeout() {
		return this.lockTimeout;
	}

	public void setLockTimeout(@Nullable Duration lockTimeout) {
		this.lockTimeout = lockTimeout;
	}

	public int getStatementCacheSize() {
		return this.statementCacheSize;
	}

	public void setStatementCacheSize(int statementCacheSize) {
		this.statementCacheSize = statementCacheSize;
	}

	public @Nullable String getApplicationName() {
		return this.applicationName;
	}

	public void setApplicationName(@Nullable String applicationName) {
		this.applicationName = applicationName;
	}

	public @Nullable String getPoolName() {
		return this.poolName;
	}

	public void setPoolName(@Nullable String poolName) {
		this.poolName = poolName;
	}

	public Monitor getMonitor() {
		return this.monitor;
	}

	public Health getHealth() {
		return this.health;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	/**
	 * Sampling of the pools' state.
	 *
	 * @since 0.2.0
	 */
	public static class Monitor {

		/**
		 * Whether to sample every HikariCP pool on a schedule of its own and log its
		 * state. The dbPool health indicator and the db.pool.* meters read the samples,
		 * so they are off without it.
		 */
		private boolean enabled = true;

		/**
		 * Time between two samples of each pool, and the least time between two log lines
		 * about it.
		 */
		private Duration interval = Duration.ofSeconds(30);

		/**
		 * Share of max-connections in use (0 to 1) from which the state is logged at WARN
		 * and reported at level "warning".
		 */
		private double warnUtilization = 0.70;

		/**
		 * Share of max-connections in use (0 to 1) from which a pool counts as saturated:
		 * level "critical", and the dbPool health goes DOWN once it lasts, with threads
		 * waiting, longer than health.exhausted-grace.
		 */
		private double criticalUtilization = 0.85;

		/**
		 * Number of recent samples kept per pool.
		 */
		private int historySize = 20;

		/**
		 * Whether to read, over one connection of db-pool's own outside the pool, what
		 * the server sees of this application's connections (pg_stat_activity).
		 */
		private boolean serverEnabled = true;

		/**
		 * Time between two reads of the server's view of this application's connections.
		 */
		private Duration serverInterval = Duration.ofSeconds(60);

		/**
		 * How long a session may stay idle in a transaction before the server view logs a
		 * WARN about it.
		 */
		private Duration idleInTransactionWarning = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public double getWarnUtilization() {
			return this.warnUtilization;
		}

		public void setWarnUtilization(double warnUtilization) {
			this.warnUtilization = warnUtilization;
		}

		public double getCriticalUtilization() {
			return this.criticalUtilization;
		}

		public void setCriticalUtilization(double criticalUtilization) {
			this.criticalUtilization = criticalUtilization;
		}

		public int getHistorySize() {
			return this.historySize;
		}

		public void setHistorySize(int historySize) {
			this.historySize = historySize;
		}

		public boolean isServerEnabled() {
			return this.serverEnabled;
		}

		public void setServerEnabled(boolean serverEnabled) {
			this.serverEnabled = serverEnabled;
		}

		public Duration getServerInterval() {
			return this.serverInterval;
		}

		public void setServerInterval(Duration serverInterval) {
			this.serverInterval = serverInterval;
		}

		public Duration getIdleInTransactionWarning() {
			return this.idleInTransactionWarning;
		}

		public void setIdleInTransactionWarning(Duration idleInTransactionWarning) {
			this.idleInTransactionWarning = idleInTransactionWarning;
		}

	}

	/**
	 * The dbPool health indicator.
	 *
	 * @since 0.2.0
	 */
	public static class Health {

		/**
		 * How long a pool may stay saturated with threads waiting, or hold no connection
		 * while it needs some, before the dbPool health goes DOWN, so that a short spike
		 * does not flap it.
		 */
		private Duration exhaustedGrace = Duration.ofSeconds(5);

		/**
		 * Whether Spring Boot's "db" health of the HikariCP pools db-pool watches is
		 * answered without waiting for a connection: a connection is used only when the
		 * pool can hand one over at once, else the pool's state answers. Off, Spring
		 * Boot's own indicator, which borrows a connection at every check, stays.
		 */
		private boolean replaceDb = true;

		public boolean isReplaceDb() {
			return this.replaceDb;
		}

		public void setReplaceDb(boolean replaceDb) {
			this.replaceDb = replaceDb;
		}

		public Duration getExhaustedGrace() {
			return this.exhaustedGrace;
		}

		public void setExhaustedGrace(Duration exhaustedGrace) {
			this.exhaustedGrace = exhaustedGrace;
		}

	}

	/**
	 * The db.pool.* meters.
	 *
	 * @since 0.2.0
	 */
	public static class Metrics {

		/**
		 * Whether to publish the db.pool.* meters.
		 */
		private boolean enabled = true;

		/**
		 * Whether to publish a percentiles histogram and the 50th, 95th and 99th
		 * percentiles of hikaricp.connections.acquire, so that the wait for a connection
		 * can be read as p95/p99. Settings under management.metrics.distribution for that
		 * meter win.
		 */
		private boolean acquirePercentiles = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isAcquirePercentiles() {
			return this.acquirePercentiles;
		}

		public void setAcquirePercentiles(boolean acquirePercentiles) {
			this.acquirePercentiles = acquirePercentiles;
		}

	}

	/**
	 * Draining the pools when the application stops.
	 *
	 * @since 0.2.0
	 */
	public static class Shutdown {

		/**
		 * Whether to wait, after the web server has finished its requests, for borrowed
		 * connections to come back before the pools close.
		 */
		private boolean enabled = true;

		/**
		 * Longest time to wait for borrowed connections to come back before the pools are
		 * closed anyway.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Checking the connection budget at start-up.
	 *
	 * @since 0.3.0
	 */
	public static class Budget {

		/**
		 * What to do when instances × max-connections is more than the server, the role
		 * or the database allows: warn (log the numbers and the largest safe
		 * max-connections), fail (stop start-up), clamp (lower max-connections to the
		 * safe share) or off (do not check).
		 */
		private BudgetMode mode = BudgetMode.WARN;

		public BudgetMode getMode() {
			return this.mode;
		}

		public void setMode(BudgetMode mode) {
			this.mode = mode;
		}

	}

	/**
	 * A connection pooler between the pool and PostgreSQL.
	 *
	 * @since 0.5.0
	 */
	public static class Pooler {

		/**
		 * What sits between the pool and PostgreSQL: none, pgbouncer-session,
		 * pgbouncer-transaction, or auto (find out at start-up over connections beside
		 * the pool, and log what was found; session mode only where PgBouncer's console,
		 * admin-url, says so, else transaction mode's rules, which hold in both). Decides
		 * how the server timeouts are applied and whether prepared statements may be kept
		 * on the server.
		 */
		private PoolerMode mode = PoolerMode.AUTO;

		/**
		 * Whether the pooler keeps each client's prepared statements apart in transaction
		 * mode (PgBouncer 1.21+ with max_prepared_statements above 0). When false, the
		 * driver prepares nothing on the server there (prepareThreshold=0), since the
		 * statements of clients sharing a server session would collide (42P05).
		 */
		private boolean preparedStatements;

		/**
		 * What to do when, behind a pooler in transaction mode, the server does not apply
		 * statement-timeout, idle-in-transaction-timeout and lock-timeout as configured
		 * (db-pool cannot set them there without leaking them to other clients): warn
		 * (log the ALTER ROLE statements that fix it), fail (stop start-up) or off.
		 */
		private TimeoutCheck timeoutCheck = TimeoutCheck.WARN;

		/**
		 * URL of PgBouncer's admin console, its database pgbouncer
		 * (jdbc:postgresql://host:6432/pgbouncer or
		 * postgres://user:password@host:6432/pgbouncer), to read PgBouncer's queue for
		 * this pool (SHOW POOLS) on the monitor's thread, every monitor.server-interval,
		 * into the dbPool health and the db.pooler.* meters. Logs in with the credentials
		 * in the URL, else the pool's; the user must be listed in PgBouncer's admin_users
		 * or stats_users. Unset, PgBouncer is not read.
		 */
		private @Nullable String adminUrl;

		public PoolerMode getMode() {
			return this.mode;
		}

		public void setMode(PoolerMode mode) {
			this.mode = mode;
		}

		public boolean isPreparedStatements() {
			return this.preparedStatements;
		}

		public void setPreparedStatements(boolean preparedStatements) {
			this.preparedStatements = preparedStatements;
		}

		public TimeoutCheck getTimeoutCheck() {
			return this.timeoutCheck;
		}

		public void setTimeoutCheck(TimeoutCheck timeoutCheck) {
			this.timeoutCheck = timeoutCheck;
		}

		public @Nullable String getAdminUrl() {
			return this.adminUrl;
		}

		public void setAdminUrl(@Nullable String adminUrl) {
			this.adminUrl = adminUrl;
		}

	}

	/**
	 * Retrying the opening of a physical connection.
	 *
	 * @since 0.3.0
	 */
	public static class Retry {

		/**
		 * Most attempts to open one physical connection, the first included; 1 means no
		 * retry. Only failures the server may recover from are retried (SQLState class 08
		 * but 08P01, 57P01 to 57P03, 53300), and never beyond acquire-timeout.
		 */
		private int maxAttempts = 3;

		/**
		 * Wait before the first retry; it doubles with each retry, with jitter.
		 */
		private Duration initialBackoff = Duration.ofMillis(100);

		/**
		 * Longest wait between two attempts.
		 */
		private Duration maxBackoff = Duration.ofSeconds(2);

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

	}

	/**
	 * Answering requests that could not get a connection or lost it, in a Spring MVC
	 * application.
	 *
	 * @since 0.3.0
	 */
	public static class Web {

		/**
		 * Whether a request that failed because no connection could be had (the waiter
		 * cap rejected it, or the acquire timeout passed) or because its connection was
		 * lost under a statement (SQLState class 08 but 08P01 unless FATAL, or 57P01 to
		 * 57P03) is answered with 503 Service Unavailable, a Retry-After header and an
		 * RFC 9457 problem body.
		 */
		private boolean enabled = true;

		/**
		 * Value of the Retry-After header, rounded up to whole seconds.
		 */
		private Duration retryAfter = Duration.ofSeconds(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getRetryAfter() {
			return this.retryAfter;
		}

		public void setRetryAfter(Duration retryAfter) {
			this.retryAfter = retryAfter;
		}

	}

	/**
	 * A read replica: PostgreSQL streaming standbys that take the application's read-only
	 * transactions ({@code @Transactional(readOnly = true)}) through a pool of their own,
	 * while everything else goes to the primary. Every pool setting not given here is the
	 * primary pool's.
	 */
	public static class Replicas {

		/**
		 * URL of the replica: a JDBC URL (jdbc:postgresql://standby:5432/app, or several
		 * hosts, jdbc:postgresql://standby1,standby2/app, over which the pool spreads its
		 * connections) or postgres://user:password@standby:5432/app. Unset (the default):
		 * no replica, every transaction goes to the primary.
		 */
		private @Nullable String url;

		/**
		 * Login user of the replica. Unset: the URL's, else the primary's.
		 */
		private @Nullable String username;

		/**
		 * Login password of the replica. Unset: the URL's, else the primary's.
		 */
		private @Nullable String password;

		/**
		 * Replication lag past which read-only work goes where fallback says until the
		 * replica catches up, read on the monitor's thread every monitor.server-interval.
		 * Unset (the default): lag is measured and published, never acted on.
		 */
		private @Nullable Duration maxLag;

		/**
		 * Where read-only work goes while the replica cannot take it (unreachable, its
		 * connections failing, or lagging past max-lag): primary (on a read-only
		 * connection of the primary's pool) or fail (at once, answered 503 in a Spring
		 * MVC application).
		 */
		private ReplicaFallback fallback = ReplicaFallback.PRIMARY;

		/**
		 * Whether the application's health goes DOWN when the replica cannot take
		 * read-only work. When false (the default), the replica's health details say so
		 * while its status stays UP, since reads fall back to the primary.
		 */
		private boolean required;

		/**
		 * Maximum size of the replica's pool. Unset: the primary's max-connections.
		 */
		private @Nullable Integer maxConnections;

		/**
		 * Minimum number of idle connections of the replica's pool. Unset: the primary's
		 * min-connections, at most the replica's max-connections.
		 */
		private @Nullable Integer minConnections;

		/**
		 * Maximum time to wait for a connection of the replica's pool. Unset: the
		 * primary's acquire-timeout.
		 */
		private @Nullable Duration acquireTimeout;

		/**
		 * Maximum time a connection of the replica's pool may sit idle. Unset: the
		 * primary's idle-timeout.
		 */
		private @Nullable Duration idleTimeout;

		/**
		 * Maximum lifetime of a connection of the replica's pool. Unset: the primary's
		 * max-lifetime.
		 */
		private @Nullable Duration maxLifetime;

		/**
		 * Maximum time to establish a connection to the replica, whole seconds. Unset:
		 * the primary's connect-timeout.
		 */
		private @Nullable Duration connectTimeout;

		/**
		 * Socket read timeout of the replica's connections, whole seconds; 0 derives it
		 * from statement-timeout. Unset: the primary's.
		 */
		private @Nullable Duration socketTimeout;

		/**
		 * Server-side statement timeout on the replica (reports often run longer than the
		 * primary's transactions). Unset: the primary's statement-timeout.
		 */
		private @Nullable Duration statementTimeout;

		/**
		 * Most threads that may wait at once for a connection of the replica's pool.
		 * Unset: the primary's max-waiting.
		 */
		private @Nullable Integer maxWaiting;

		/**
		 * Name of the replica's pool. Unset: the primary's pool name with the suffix
		 * -replica.
		 */
		private @Nullable String poolName;

		/**
		 * application_name of the replica's connections. Unset: the primary's with the
		 * suffix -replica.
		 */
		private @Nullable String applicationName;

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable Duration getMaxLag() {
			return this.maxLag;
		}

		public void setMaxLag(@Nullable Duration maxLag) {
			this.maxLag = maxLag;
		}

		public ReplicaFallback getFallback() {
			return this.fallback;
		}

		public void setFallback(ReplicaFallback fallback) {
			this.fallback = fallback;
		}

		public boolean isRequired() {
			return this.required;
		}

		public void setRequired(boolean required) {
			this.required = required;
		}

		public @Nullable Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(@Nullable Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

		public @Nullable Integer getMinConnections() {
			return this.minConnections;
		}

		public void setMinConnections(@Nullable Integer minConnections) {
			this.minConnections = minConnections;
		}

		public @Nullable Duration getAcquireTimeout() {
			return this.acquireTimeout;
		}

		public void setAcquireTimeout(@Nullable Duration acquireTimeout) {
			this.acquireTimeout = acquireTimeout;
		}

		public @Nullable Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(@Nullable Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public @Nullable Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(@Nullable Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

		public @Nullable Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(@Nullable Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public @Nullable Duration getSocketTimeout() {
			return this.socketTimeout;
		}

		public void setSocketTimeout(@Nullable Duration socketTimeout) {
			this.socketTimeout = socketTimeout;
		}

		public @Nullable Duration getStatementTimeout() {
			return this.statementTimeout;
		}

		public void setStatementTimeout(@Nullable Duration statementTimeout) {
			this.statementTimeout = statementTimeout;
		}

		public @Nullable Integer getMaxWaiting() {
			return this.maxWaiting;
		}

		public void setMaxWaiting(@Nullable Integer maxWaiting) {
			this.maxWaiting = maxWaiting;
		}

		public @Nullable String getPoolName() {
			return this.poolName;
		}

		public void setPoolName(@Nullable String poolName) {
			this.poolName = poolName;
		}

		public @Nullable String getApplicationName() {
			return this.applicationName;
		}

		public void setApplicationName(@Nullable String applicationName) {
			this.applicationName = applicationName;
		}

	}

}
