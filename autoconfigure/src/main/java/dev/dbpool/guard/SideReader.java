package dev.dbpool.guard;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.SqlFailures;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * Reads something periodically over one connection of its own beside the pool (a JDBC
 * connection, or another client's, such as one to PgBouncer's console): opened at the
 * first read, kept open between reads, opened again after a failed read, and closed by
 * {@link #close()}. A failed read never throws: it is kept as a failing streak, logged at
 * WARN once per streak, not per read, and at INFO when a read works again. Meant to be
 * run by the pool monitor's thread every interval; it starts no thread of its own.
 *
 * @param <C> the type of the connection
 * @param <T> what a read returns
 * @author db-pool
 * @since 0.5.0
 */
public final class SideReader<C extends AutoCloseable, T> implements AutoCloseable {

	private final Log logger;

	private final String subject;

	private final String target;

	private final Duration interval;

	private final Opener<C> opener;

	private final Read<C, T> read;

	private volatile @Nullable C connection;

	private volatile boolean closed;

	private volatile @Nullable T latest;

	private volatile @Nullable Failure failure;

	/**
	 * Create a reader. Nothing is opened until the first read.
	 * @param logger where to log a failing streak and its end: the logger of the class
	 * that reads
	 * @param subject who reads, as a log line names it, e.g.
	 * {@code the server view of pool 'app-pool'}
	 * @param target what it reads, e.g. {@code the server}
	 * @param interval time between two reads, for the log line
	 * @param opener opens the connection
	 * @param read one read over the connection
	 */
	public SideReader(Log logger, String subject, String target, Duration interval, Opener<C> opener, Read<C, T> read) {
		this.logger = logger;
		this.subject = subject;
		this.target = target;
		this.interval = interval;
		this.opener = opener;
		this.read = read;
	}

	/**
	 * Return what the last successful read returned.
	 * @return it, or {@code null} before the first successful read
	 */
	public @Nullable T latest() {
		return this.latest;
	}

	/**
	 * Return what the last read returned, if it succeeded.
	 * @return it, or {@code null} before the first read and while reads fail
	 */
	public @Nullable T current() {
		return (this.failure == null) ? this.latest : null;
	}

	/**
	 * Return the failing streak in progress.
	 * @return the streak, or {@code null} if the last read succeeded or none was made
	 */
	public @Nullable Failure failure() {
		return this.failure;
	}

	/**
	 * Read once. Never throws: a failure is kept, logged once per failing streak, and the
	 * next read tries again with a new connection.
	 * @return what was read, or {@code null} if it could not be read or the reader is
	 * closed
	 */
	public synchronized @Nullable T sample() {
		if (this.closed) {
			return null;
		}
		try {
			T value = this.read.read(connection());
			this.latest = value;
			Failure ended = this.failure;
			this.failure = null;
			if (ended != null && this.logger.isInfoEnabled()) {
				this.logger.info("db-pool: " + this.subject + " works again after " + ended.inARow() + " failed read"
						+ ((ended.inARow() != 1) ? "s" : "") + " over "
						+ Durations.format(Duration.between(ended.since(), Instant.now())));
			}
			return value;
		}
		catch (Exception ex) {
			closeConnection();
			// Interrupted: the monitor is stopping, not the target failing.
			if (!Thread.currentThread().isInterrupted()) {
				failed(ex);
			}
			return null;
		}
		finally {
			if (this.closed) {
				// Closed while this read ran.
				closeConnection();
			}
		}
	}

	private C connection() throws SQLException {
		C connection = this.connection;
		if (connection == null) {
			connection = this.opener.open();
			this.connection = connection;
		}
		return connection;
	}

	private void failed(Exception ex) {
		Instant now = Instant.now();
		String message = SqlFailures.describe(ex);
		Failure previous = this.failure;
		this.failure = (previous != null) ? new Failure(previous.since(), now, previous.inARow() + 1, message)
				: new Failure(now, now, 1, message);
		if (previous == null && this.logger.isWarnEnabled()) {
			this.logger.warn("db-pool: " + this.subject + " cannot read " + this.target + ": " + message
					+ " (trying again every " + Durations.format(this.interval) + "; logged again only once it works)");
		}
	}

	/**
	 * Close the connection; later reads do nothing.
	 */
	@Override
	public void close() {
		this.closed = true;
		closeConnection();
	}

	private void closeConnection() {
		C connection = this.connection;
		this.connection = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (Exception ex) {
				// Broken already: nothing to release.
			}
		}
	}

	/**
	 * Opens the reader's connection, ready for its reads.
	 *
	 * @param <C> the type of the connection
	 */
	@FunctionalInterface
	public interface Opener<C> {

		/**
		 * Open the connection.
		 * @return the connection
		 * @throws SQLException if it cannot be opened
		 */
		C open() throws SQLException;

	}

	/**
	 * One read over the reader's connection.
	 *
	 * @param <C> the type of the connection
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface Read<C, T> {

		/**
		 * Read once.
		 * @param connection the reader's connection
		 * @return what was read
		 * @throws SQLException if it cannot be read; the connection is then closed
		 */
		T read(C connection) throws SQLException;

	}

	/**
	 * A streak of failed reads.
	 *
	 * @param since when the first read of the streak failed
	 * @param last when the last one failed
	 * @param inARow how many failed
	 * @param message the SQLState and message of the last failure
	 */
	public record Failure(Instant since, Instant last, int inARow, String message) {

	}

}
