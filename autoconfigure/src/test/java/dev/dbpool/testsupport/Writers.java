package dev.dbpool.testsupport;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

/**
 * Threads that insert rows into a table {@code writes (id bigint PRIMARY KEY)} through a
 * pool until stopped, an id counted as acknowledged only once its commit returned; then
 * which acknowledged ids a server lost.
 */
public final class Writers {

	/** The table the writers insert into. */
	public static final String TABLE = "CREATE TABLE writes (id bigint PRIMARY KEY, at timestamptz DEFAULT now())";

	private final DataSource pool;

	private final int count;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicLong nextId = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong maxBorrowNanos = new AtomicLong();

	/** Each acknowledged write: its id, when its borrow began, when it committed. */
	private final Queue<long[]> acknowledged = new ConcurrentLinkedQueue<>();

	private final ExecutorService threads;

	private final List<Future<?>> futures = new ArrayList<>();

	/**
	 * Create writers.
	 * @param pool the pool they borrow from
	 * @param count how many threads
	 * @param name the threads' name
	 */
	public Writers(DataSource pool, int count, String name) {
		this.pool = pool;
		this.count = count;
		this.threads = Executors.newFixedThreadPool(count, (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Start writing.
	 */
	public void start() {
		for (int i = 0; i < this.count; i++) {
			this.futures.add(this.threads.submit(this::write));
		}
	}

	/**
	 * Stop writing and wait, bounded, for the threads.
	 * @throws Exception if a thread failed or is stuck
	 */
	public void stop() throws Exception {
		this.running.set(false);
		for (Future<?> future : this.futures) {
			// Bounded: a writer stuck past a borrow and a statement fails the test.
			future.get(30, TimeUnit.SECONDS);
		}
		this.threads.shutdownNow();
	}

	private void write() {
		while (this.running.get()) {
			long id = this.nextId.incrementAndGet();
			long began = System.nanoTime();
			Connection connection;
			try {
				connection = this.pool.getConnection();
			}
			catch (SQLException ex) {
				this.maxBorrowNanos.accumulateAndGet(System.nanoTime() - began, Math::max);
				this.failed.incrementAndGet();
				continue;
			}
			this.maxBorrowNanos.accumulateAndGet(System.nanoTime() - began, Math::max);
			try (connection;
					PreparedStatement insert = connection.prepareStatement("INSERT INTO writes (id) VALUES (?)")) {
				connection.setAutoCommit(false);
				insert.setLong(1, id);
				insert.executeUpdate();
				connection.commit();
				this.acknowledged.add(new long[] { id, began, System.nanoTime() });
			}
			catch (SQLException ex) {
				this.failed.incrementAndGet();
			}
			pause();
		}
	}

	private static void pause() {
		try {
			Thread.sleep(20);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Return how many writes were acknowledged.
	 * @return the number
	 */
	public int acknowledged() {
		return this.acknowledged.size();
	}

	/**
	 * Return how many borrows or writes failed.
	 * @return the number
	 */
	public long failed() {
		return this.failed.get();
	}

	/**
	 * Return the longest borrow.
	 * @return it, in nanoseconds
	 */
	public long maxBorrowNanos() {
		return this.maxBorrowNanos.get();
	}

	/**
	 * Return when the first write whose borrow began after a time committed.
	 * @param nanos the time, of {@link System#nanoTime()}
	 * @return when it committed, of {@link System#nanoTime()}
	 */
	public long firstSuccessStartedAfter(long nanos) {
		return this.acknowledged.stream()
			.filter((write) -> write[1] - nanos > 0)
			.mapToLong((write) -> write[2])
			.min()
			.orElseThrow(() -> new AssertionError("no write succeeded after the server came back"));
	}

	/**
	 * Return the acknowledged ids a server does not have.
	 * @param server the server
	 * @return the ids lost
	 * @throws SQLException if the server cannot be read
	 */
	public List<Long> missingOn(PostgresServer server) throws SQLException {
		Long[] ids = this.acknowledged.stream().map((write) -> write[0]).toArray(Long[]::new);
		try (Connection connection = server.connect();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM unnest(?::bigint[]) AS id EXCEPT SELECT id FROM writes")) {
			Array array = connection.createArrayOf("bigint", ids);
			statement.setArray(1, array);
			List<Long> missing = new ArrayList<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					missing.add(result.getLong(1));
				}
			}
			return missing;
		}
	}

}
