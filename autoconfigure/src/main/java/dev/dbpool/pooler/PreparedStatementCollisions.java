package dev.dbpool.pooler;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.ExceptionOverrides;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolerMode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The errors a pool gets when the statements pgjdbc prepares on the server (named
 * {@code S_1}, {@code S_2}, …) collide with another client's on a server session that a
 * pooler in transaction mode shares between clients without keeping their prepared
 * statements apart: {@code 42P05 prepared statement "S_1" already exists},
 * {@code 26000 prepared statement "S_1" does not exist}, and {@code 08P01 bind message
 * supplies 0 parameters, but prepared statement "S_2" requires 1} (a statement may also
 * run under another's name and return wrong results, which nothing can see). It happens
 * where the driver prepares on the server behind such a pooler:
 * {@code app.db.pool.pooler.prepared-statements=true} on a PgBouncer before 1.21 (or with
 * {@code max_prepared_statements = 0}), or a mode other than
 * {@code pgbouncer-transaction} behind PgBouncer in transaction mode.
 * <p>
 * HikariCP hands it each exception a statement throws (its {@link SQLExceptionOverride}),
 * so it costs nothing on the borrow path; it counts the collisions and logs one WARN a
 * minute at most with the cause and the fix, and leaves HikariCP's decision about the
 * connection to the override it wraps (db-pool's read-only eviction, which wraps the
 * application's own), else to HikariCP's default: the pool keeps one override. As a
 * {@link PoolGuard}: the {@value #DETAIL} health detail and the {@value #METER} counter.
 *
 * @author db-pool
 * @since 0.5.0
 */
public final class PreparedStatementCollisions implements PoolGuard {

	/** Health detail of the collisions. */
	public static final String DETAIL = "preparedStatementErrors";

	/** In {@link #DETAIL}: collisions over the pool's life. */
	public static final String TOTAL = "total";

	/** In {@link #DETAIL}, once one happened: the last, its SQLState and message. */
	public static final String LAST = "last";

	/** In {@link #DETAIL}, once one happened: why it happens and what to do. */
	public static final String FIX = "fix";

	/** Counter of the collisions. */
	public static final String METER = "db.pool.pooler.prepared-statement-errors";

	/** Least time between two WARN lines of one pool. */
	static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(PreparedStatementCollisions.class);

	private final String pool;

	private final String fix;

	private final LongSupplier nanoClock;

	private final AtomicLong count = new AtomicLong();

	private final AtomicLong warnedAt;

	private volatile @Nullable String last;

	PreparedStatementCollisions(String pool, String fix, LongSupplier nanoClock) {
		this.pool = pool;
		this.fix = fix;
		this.nanoClock = nanoClock;
		this.warnedAt = new AtomicLong(nanoClock.getAsLong() - WARN_INTERVAL.toNanos());
	}

	/**
	 * Watch a pool for collisions: its exception override becomes one that counts them
	 * and then decides as the pool's own override did (or HikariCP, where it had none).
	 * Call it once the pool is configured, before it starts.
	 * @param pool the pool
	 * @param settings its settings, for the cause and the fix
	 * @return the collisions of the pool
	 */
	public static PreparedStatementCollisions watch(HikariConfig pool, PoolSettings settings) {
		return watch(pool, new PreparedStatementCollisions(settings.poolName(), fix(settings), System::nanoTime));
	}

	static PreparedStatementCollisions watch(HikariConfig pool, PreparedStatementCollisions collisions) {
		ExceptionOverrides.chain(pool, (ex, decided) -> {
			if (isCollision(ex)) {
				collisions.seen(ex);
			}
			return decided;
		});
		return collisions;
	}

	/**
	 * Return how many collisions the pool's statements met.
	 * @return the number over the pool's life
	 */
	public long count() {
		return this.count.get();
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> block = new LinkedHashMap<>();
		block.put(TOTAL, count());
		String last = this.last;
		if (last != null) {
			block.put(LAST, last);
			block.put(FIX, this.fix);
		}
		details.put(DETAIL, block);
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(GuardMeter.counter(METER,
				"Statements that failed because prepared statements collided on server sessions a pooler shares", this,
				PreparedStatementCollisions::count));
	}

	/**
	 * Whether a failure is a collision of the driver's prepared statements.
	 * @param ex the failure
	 * @return whether it is one
	 */
	static boolean isCollision(SQLException ex) {
		String state = ex.getSQLState();
		String message = ex.getMessage();
		if (state == null || message == null || !message.contains("prepared statement \"S_")) {
			return false;
		}
		return switch (state) {
			case "42P05" -> message.contains("already exists");
			case "26000" -> message.contains("does not exist");
			case "08P01" -> message.contains("bind message supplies");
			default -> false;
		};
	}

	void seen(SQLException ex) {
		long count = this.count.incrementAndGet();
		String described = SqlFailures.describe(ex);
		this.last = described;
		long now = this.nanoClock.getAsLong();
		long warnedAt = this.warnedAt.get();
		if (now - warnedAt >= WARN_INTERVAL.toNanos() && this.warnedAt.compareAndSet(warnedAt, now)) {
			logger.warn("db-pool: pool '" + this.pool + "': " + described + " (" + count + " such error"
					+ ((count != 1) ? "s" : "") + " so far; one line a minute at most). " + this.fix);
		}
	}

	// Why the driver prepares on the server here, and what to change.
	private static String fix(PoolSettings settings) {
		PoolSettings.Pooler pooler = settings.pooler();
		String cause = switch (pooler.mode()) {
			case PGBOUNCER_TRANSACTION -> pooler.preparedStatements()
					? PoolSettings.PREPARED_STATEMENTS + " is true, which needs a pooler that keeps each client's "
							+ "prepared statements apart (PgBouncer 1.21 or later with max_prepared_statements above "
							+ "0), and this one does not"
					: "the driver should prepare nothing on the server (prepareThreshold=0), yet something does";
			case PGBOUNCER_SESSION -> settings.source(PoolSettings.POOLER).describe()
					+ ", but the pooler shares server sessions between clients: it runs in transaction mode";
			default -> "the pool connects as to PostgreSQL itself (" + settings.source(PoolSettings.POOLER).describe()
					+ ") and the driver prepares statements on the server, but a pooler in transaction mode is in "
					+ "between";
		};
		return "Statements the driver prepared on a server session collide with another client's there: a pooler "
				+ "in transaction mode shares server sessions between clients, and results may also be wrong. Cause: "
				+ cause + ". Fix: set " + PoolSettings.POOLER + " (DB_POOLER) to "
				+ PoolerMode.PGBOUNCER_TRANSACTION.externalName() + " with " + PoolSettings.PREPARED_STATEMENTS
				+ "=false, so that the driver prepares nothing on the server (prepareThreshold=0); or, on PgBouncer "
				+ "1.21 or later, set max_prepared_statements above 0 in pgbouncer.ini so that it keeps them apart.";
	}

}
