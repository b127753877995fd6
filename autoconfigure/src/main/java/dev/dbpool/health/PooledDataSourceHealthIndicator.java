package dev.dbpool.health;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolSnapshot;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.settings.JdbcUrls;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.util.StringUtils;

/**
 * Spring Boot's {@code db} health of a HikariCP pool, without ever waiting for a
 * connection: it borrows one only when the pool can hand one over at once, and otherwise
 * answers from what the {@link PoolMonitor} and the pool already know. Spring Boot's own
 * {@code DataSourceHealthIndicator} borrows a connection at every check, so on an
 * exhausted pool the whole health endpoint waits up to the acquire timeout.
 * <p>
 * With a connection it does what Spring Boot's does, with the same details: UP with
 * {@value #DATABASE} (the product name) and {@value #VALIDATION_QUERY} (the pool's
 * {@code connectionTestQuery}, and then its {@value #RESULT}, or {@code isValid()}), DOWN
 * when that check fails. The borrow waits at most {@link #BORROW_TIMEOUT}, and is not
 * tried at all while every connection is in use, or while the pool is suspended; the
 * validation is bounded by the pool's validation timeout. Until the pool has started it
 * borrows as Spring Boot's does, which starts the pool.
 * <p>
 * Without a connection it answers from the pool's state, adding {@value #ANSWERED_FROM}
 * (why no connection was used): DOWN when the pool is closed, when its attempts to open
 * connections are failing (for a pool db-pool built, with {@value #ERROR} the last
 * failure's SQLState and message and {@value #FAILING_FOR}), or when it holds no
 * connection while threads wait for one; UP while it holds connections and nothing says
 * the database is gone (they are all in use, so the database is serving them), with
 * {@value #LAST_CONNECTION_OPENED_AT} where db-pool knows it; UNKNOWN when it holds none
 * and nothing is known yet.
 *
 * @author db-pool
 * @since 0.4.0
 */
public class PooledDataSourceHealthIndicator extends AbstractHealthIndicator {

	/** Detail, as Spring Boot's: the database product. */
	public static final String DATABASE = "database";

	/** Detail, as Spring Boot's: the check made on a connection. */
	public static final String VALIDATION_QUERY = "validationQuery";

	/** Detail, as Spring Boot's: what the validation query returned. */
	public static final String RESULT = "result";

	/** Detail, as Spring Boot's on a failure: what failed. */
	public static final String ERROR = "error";

	/** Detail, when no connection was used: why, and what the answer rests on. */
	public static final String ANSWERED_FROM = "answeredFrom";

	/** Detail, when attempts to open a connection fail: for how long. */
	public static final String FAILING_FOR = "failingFor";

	/** Detail, when no connection was used: when the pool last opened one. */
	public static final String LAST_CONNECTION_OPENED_AT = "lastConnectionOpenedAt";

	/** The longest a check waits for a connection the pool said it could hand over. */
	public static final Duration BORROW_TIMEOUT = Duration.ofMillis(250);

	private final PoolMonitor monitor;

	private final HikariDataSource pool;

	private volatile String product;

	/**
	 * Create an indicator for one pool.
	 * @param monitor the monitor that watches the pool
	 * @param pool the pool
	 */
	public PooledDataSourceHealthIndicator(PoolMonitor monitor, HikariDataSource pool) {
		super("DataSource health check failed");
		this.monitor = monitor;
		this.pool = pool;
		String url = pool.getJdbcUrl();
		this.product = (url != null && JdbcUrls.isPostgresql(url)) ? "PostgreSQL" : "unknown";
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		PoolState state = state();
		PoolSnapshot now = (state != null) ? state.observe() : null;
		if (now == null || now.state() == PoolSnapshot.State.NOT_STARTED) {
			// As Spring Boot's: the first borrow starts the pool.
			try (Connection connection = this.pool.getConnection()) {
				check(builder, connection);
			}
			return;
		}
		Connection connection = borrowAtOnce(now);
		if (connection != null) {
			try (connection) {
				check(builder, connection);
			}
			return;
		}
		answerFromState(builder, state, now);
	}

	private @Nullable PoolState state() {
		for (PoolState state : this.monitor.pools()) {
			if (state.dataSource() == this.pool) {
				return state;
			}
		}
		return null;
	}

	private @Nullable Connection borrowAtOnce(PoolSnapshot now) {
		if (now.state() != PoolSnapshot.State.RUNNING || (now.idle() == 0 && now.active() >= now.max())) {
			return null;
		}
		HikariPoolMXBean counters = this.pool.getHikariPoolMXBean();
		if (!(counters instanceof HikariPool hikari)) {
			return null;
		}
		try {
			// HikariCP's own borrow, with a wait of the check's own; past the waiter cap.
			return hikari.getConnection(BORROW_TIMEOUT.toMillis());
		}
		catch (SQLException ex) {
			return null;
		}
	}

	private void check(Health.Builder builder, Connection connection) throws SQLException {
		this.product = connection.getMetaData().getDatabaseProductName();
		builder.up().withDetail(DATABASE, this.product);
		String query = this.pool.getConnectionTestQuery();
		if (StringUtils.hasText(query)) {
			builder.withDetail(VALIDATION_QUERY, query);
			try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(query)) {
				if (result.next()) {
					builder.withDetail(RESULT, result.getObject(1));
				}
			}
		}
		else {
			builder.withDetail(VALIDATION_QUERY, "isValid()");
			int seconds = (int) Math.max(1, (this.pool.getValidationTimeout() + 999) / 1000);
			if (!connection.isValid(seconds)) {
				builder.down();
			}
		}
	}

	private void answerFromState(Health.Builder builder, @Nullable PoolState state, PoolSnapshot now) {
		builder.withDetail(DATABASE, this.product);
		PhysicalConnectionSource source = PhysicalConnectionSource.of(this.pool);
		Instant failingSince = (source != null) ? source.getFailingSince() : null;
		Duration starved = (state != null) ? state.starvedFor(now) : null;
		String why = switch (now.state()) {
			case CLOSED -> "the pool is closed";
			case SUSPENDED -> "the pool is suspended";
			default -> (now.idle() == 0 && now.active() >= now.max())
					? "no connection free: " + now.active() + " of " + now.max() + " in use"
					: "no connection handed over within " + Durations.format(BORROW_TIMEOUT);
		};
		builder.withDetail(ANSWERED_FROM, why);
		if (source != null && source.getLastOpened() != null) {
			builder.withDetail(LAST_CONNECTION_OPENED_AT, String.valueOf(source.getLastOpened()));
		}
		if (now.state() == PoolSnapshot.State.CLOSED) {
			builder.down();
		}
		else if (failingSince != null) {
			builder.down()
				.withDetail(ERROR, String.valueOf(source.getLastFailure()))
				.withDetail(FAILING_FOR, Durations.format(Duration.between(failingSince, now.time())));
		}
		else if (starved != null && now.total() == 0) {
			builder.down().withDetail(ERROR, "no connection for " + Durations.format(starved) + " while it needs some");
		}
		else if (now.total() > 0) {
			builder.up();
		}
		else {
			builder.unknown();
		}
	}

}
