package dev.dbpool.pooler;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToDoubleFunction;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.guard.SideReader;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PostgresLimits;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * PgBouncer's queue for the pool db-pool built, read from PgBouncer's admin console
 * ({@value PoolSettings#ADMIN_URL}) so that the pool's own waiting threads and
 * PgBouncer's waiting clients show side by side: its {@code SHOW POOLS} row for the
 * pool's database and user (as the pool's JDBC URL and user name give them; where
 * PgBouncer maps them to others, no row matches, and the details say so).
 * <p>
 * It reads over one connection of its own, kept open between reads and opened again when
 * broken ({@link SideReader}), in the simple query protocol (the only one the console
 * speaks; see {@link ConsoleConnection} for why not through pgjdbc), connecting and each
 * read bounded by 5 seconds, with the credentials in the console's URL, else as the pool
 * logs in. A failing read logs one WARN per failing streak and an INFO when it works
 * again. Meant to be run by the pool monitor's thread ({@link #sample()}); it starts no
 * thread. Its details go into the {@code pooler} block of the pool's health details, and
 * it publishes the {@code db.pooler.*} gauges, NaN before the first read, while reads
 * fail and while no row matches.
 *
 * @author db-pool
 * @since 0.5.0
 */
public final class PgBouncerConsole implements PoolGuard, AutoCloseable {

	/** What the console connection is for, in its {@code application_name}. */
	public static final String PURPOSE = "pgbouncer";

	/** Gauge of PgBouncer's clients of the pool that are active or idle. */
	public static final String CLIENTS_ACTIVE_METER = "db.pooler.clients.active";

	/** Gauge of PgBouncer's clients of the pool that wait for a server connection. */
	public static final String CLIENTS_WAITING_METER = "db.pooler.clients.waiting";

	/** Gauge of PgBouncer's server connections of the pool linked to a client. */
	public static final String SERVERS_ACTIVE_METER = "db.pooler.servers.active";

	/** Gauge of PgBouncer's server connections of the pool ready for a client. */
	public static final String SERVERS_IDLE_METER = "db.pooler.servers.idle";

	/**
	 * Time gauge of how long PgBouncer's oldest waiting client of the pool has waited.
	 */
	public static final String WAIT_MAX_METER = "db.pooler.wait.max";

	/** The database of PgBouncer's admin console. */
	public static final String DATABASE = "pgbouncer";

	/** Detail, in the {@code pooler} block: the console's URL, without credentials. */
	static final String URL = "adminUrl";

	/** Detail, in the {@code pooler} block: when the console was last read. */
	static final String SAMPLED_AT = "sampledAt";

	/** Detail, in the {@code pooler} block: why no row matched, when none did. */
	static final String POOL_NOT_FOUND = "poolNotFound";

	/**
	 * Detail, in the {@code pooler} block: while reads fail, the SQLState and message of
	 * the last failure.
	 */
	static final String FAILURE = "consoleFailure";

	/** Detail, in the {@code pooler} block: while reads fail, when the first failed. */
	static final String FAILING_SINCE = "consoleFailingSince";

	/** Bounds opening the console connection, and each read on it. */
	static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(PgBouncerConsole.class);

	// Most pools named where none matches.
	private static final int POOLS_LISTED = 5;

	private final PoolSettings.AdminConsole admin;

	private final String applicationName;

	private final HikariConfig pool;

	private final @Nullable String database;

	private final SideReader<ConsoleConnection, Reading> reader;

	private PgBouncerConsole(PoolSettings settings, PoolSettings.AdminConsole admin, HikariConfig pool) {
		this.admin = admin;
		this.applicationName = PostgresLimits.sideApplicationName(settings.applicationName(), PURPOSE);
		this.pool = pool;
		Properties url = (pool.getJdbcUrl() != null) ? org.postgresql.Driver.parseURL(pool.getJdbcUrl(), null) : null;
		this.database = (url != null) ? url.getProperty(PGProperty.PG_DBNAME.getName()) : null;
		this.reader = new SideReader<>(logger, "pool '" + settings.poolName() + "'",
				"PgBouncer's admin console " + admin.jdbcUrl(), admin.interval(), this::open, this::read);
	}

	/**
	 * Return the console reader of a pool, if {@value PoolSettings#ADMIN_URL} is set.
	 * @param settings the pool's settings
	 * @param pool the pool's configuration, whose JDBC URL names the database and whose
	 * user name (and password, where the console's URL has none) is read at each opening
	 * @return the reader, or {@code null} if the console is not to be read
	 */
	public static @Nullable PgBouncerConsole of(PoolSettings settings, HikariConfig pool) {
		PoolSettings.AdminConsole admin = settings.pooler().admin();
		return (admin != null) ? new PgBouncerConsole(settings, admin, pool) : null;
	}

	/**
	 * Return the time between two reads.
	 * @return the interval
	 */
	public Duration interval() {
		return this.admin.interval();
	}

	/**
	 * Read the console once: what the monitor's thread does every interval. Never throws.
	 */
	public void sample() {
		this.reader.sample();
	}

	/**
	 * Read, once, the {@code pool_mode} PgBouncer runs the pool's database and user in:
	 * the one certain answer to which mode it is, for start-up.
	 * @return {@code session}, {@code transaction} or {@code statement}
	 * @throws SQLException if the console cannot be read, or lists no such pool
	 */
	public String poolMode() throws SQLException {
		try (ConsoleConnection connection = open()) {
			PgBouncerPool found = read(connection).pool();
			if (found == null) {
				throw new SQLException(
						"PgBouncer's console lists no pool for database " + this.database + " and user " + poolUser());
			}
			return found.poolMode();
		}
	}

	// As the console's URL gives credentials, else as the pool logs in now.
	private ConsoleConnection open() throws SQLException {
		boolean own = this.admin.username() != null;
		return ConsoleConnection.open(this.admin.jdbcUrl(), own ? this.admin.username() : this.pool.getUsername(),
				own ? this.admin.password() : this.pool.getPassword(), this.applicationName, TIMEOUT);
	}

	private Reading read(ConsoleConnection connection) throws SQLException {
		String user = poolUser();
		List<String> listed = new ArrayList<>();
		PgBouncerPool found = null;
		for (Map<String, @Nullable String> row : connection.query("SHOW POOLS")) {
			String database = row.get("database");
			String rowUser = row.get("user");
			if (database != null && database.equals(this.database) && rowUser != null && rowUser.equals(user)) {
				found = PgBouncerPool.of(row);
			}
			else if (!DATABASE.equals(database)) {
				listed.add(database + "/" + rowUser);
			}
		}
		return new Reading(Instant.now(), found, listed);
	}

	// As the pool logs in: its user name, else the one its URL gives.
	private @Nullable String poolUser() {
		if (this.pool.getUsername() != null) {
			return this.pool.getUsername();
		}
		String url = this.pool.getJdbcUrl();
		Properties parsed = (url != null) ? org.postgresql.Driver.parseURL(url, null) : null;
		String user = (parsed != null) ? parsed.getProperty(PGProperty.USER.getName()) : null;
		return (user != null) ? user : this.pool.getDataSourceProperties().getProperty(PGProperty.USER.getName());
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> console = new LinkedHashMap<>();
		console.put(URL, this.admin.jdbcUrl());
		Reading reading = this.reader.latest();
		PgBouncerPool row = (reading != null) ? reading.pool() : null;
		if (row != null) {
			row.putDetails(console);
		}
		else if (reading != null) {
			console.put(POOL_NOT_FOUND, notFound(reading));
		}
		if (reading != null) {
			console.put(SAMPLED_AT, reading.sampledAt().toString());
		}
		SideReader.Failure failure = this.reader.failure();
		if (failure != null) {
			console.put(FAILURE, failure.message());
			console.put(FAILING_SINCE, failure.since().toString());
		}
		PoolerGuard.merge(details, console);
	}

	private String notFound(Reading reading) {
		List<String> listed = reading.listed();
		return "SHOW POOLS has no pool for database '" + this.database + "' and user '" + poolUser() + "'"
				+ (listed.isEmpty() ? ""
						: " (it lists " + String.join(", ", listed.subList(0, Math.min(POOLS_LISTED, listed.size())))
								+ ((listed.size() > POOLS_LISTED) ? ", …" : "") + ")")
				+ ": PgBouncer lists a pool once a client has connected to it, under the database and user the "
				+ "client asked for unless its [databases] section maps them to others";
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(
				GuardMeter.gauge(CLIENTS_ACTIVE_METER,
						"PgBouncer's clients of the pool's database and user, active or idle (cl_active)", this,
						read(PgBouncerPool::clientsActive)),
				GuardMeter.gauge(CLIENTS_WAITING_METER,
						"PgBouncer's clients of the pool's database and user waiting for a server connection "
								+ "(cl_waiting)",
						this, read(PgBouncerPool::clientsWaiting)),
				GuardMeter.gauge(SERVERS_ACTIVE_METER,
						"PgBouncer's server connections for the pool's database and user linked to a client "
								+ "(sv_active)",
						this, read(PgBouncerPool::serversActive)),
				GuardMeter.gauge(SERVERS_IDLE_METER,
						"PgBouncer's server connections for the pool's database and user ready for a client "
								+ "(sv_idle)",
						this, read(PgBouncerPool::serversIdle)),
				GuardMeter.timeGauge(WAIT_MAX_METER,
						"How long PgBouncer's oldest waiting client of the pool's database and user has waited "
								+ "(maxwait)",
						this, read((row) -> row.maxWait().toNanos() / 1e9)));
	}

	private static ToDoubleFunction<PgBouncerConsole> read(ToDoubleFunction<PgBouncerPool> value) {
		return (console) -> {
			Reading reading = console.reader.current();
			PgBouncerPool row = (reading != null) ? reading.pool() : null;
			return (row != null) ? value.applyAsDouble(row) : Double.NaN;
		};
	}

	/**
	 * Close the console connection; later reads do nothing.
	 */
	@Override
	public void close() {
		this.reader.close();
	}

	/**
	 * What one read of the console showed.
	 *
	 * @param sampledAt when it was read
	 * @param pool the row of the pool's database and user, or {@code null} if none
	 * matched
	 * @param listed the other pools listed, as {@code database/user}
	 */
	private record Reading(Instant sampledAt, @Nullable PgBouncerPool pool, List<String> listed) {

	}

}
