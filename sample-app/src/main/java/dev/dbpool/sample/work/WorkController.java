package dev.dbpool.sample.work;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /work?holdMs=N}: borrows one pooled connection, runs a trivial query on it
 * and holds it for N ms. Enough concurrent calls exhaust the pool, which shows
 * saturation: callers wait for a connection, then time out. A hold longer than the
 * leak-detection threshold shows a leak report. With {@code inTransaction=true} the query
 * runs in a transaction left open while the connection is held, then rolled back: the
 * server sees the session "idle in transaction", which shows the server-side view's
 * warning and, past idle-in-transaction-timeout, the server ending the session.
 * <p>
 * {@code GET /work?statementMs=N} instead runs one statement that lasts N ms on the
 * server ({@code pg_sleep}), through {@link JdbcClient} as the app's repositories run
 * theirs: ending its session meanwhile ({@code pg_terminate_backend}, a restart, a
 * failover) shows the 503 a lost connection is answered with.
 * <p>
 * {@code GET /work/compute?loops=N} runs one query that makes the database work: it
 * counts the N rows of {@code generate_series(1, N)}, which burns server CPU in
 * proportion to N (about 4 ms at N = 60,000 on a 2-core benchmark machine). It is the
 * load where the database, not the pool or the app, is the bottleneck
 * ({@code benchmarks/sizing/run.sh}'s {@code db-work}).
 */
@RestController
public class WorkController {

	private static final long MAX_HOLD_MS = 60_000;

	private static final long MAX_LOOPS = 1_000_000;

	private final DataSource dataSource;

	private final JdbcClient jdbc;

	WorkController(DataSource dataSource, JdbcClient jdbc) {
		this.dataSource = dataSource;
		this.jdbc = jdbc;
	}

	@GetMapping("/work")
	WorkResult work(@RequestParam(defaultValue = "0") long holdMs,
			@RequestParam(defaultValue = "false") boolean inTransaction,
			@RequestParam(defaultValue = "0") long statementMs) throws SQLException {
		checkRange("holdMs", holdMs);
		checkRange("statementMs", statementMs);
		if (statementMs > 0) {
			if (holdMs > 0 || inTransaction) {
				throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
						"statementMs cannot be combined with holdMs or inTransaction");
			}
			return statement(statementMs);
		}
		long borrowed;
		int backendPid;
		try (Connection connection = this.dataSource.getConnection()) {
			borrowed = System.nanoTime();
			if (inTransaction) {
				connection.setAutoCommit(false);
			}
			backendPid = backendPid(connection);
			// Sleep here rather than run pg_sleep: the pool sees the connection in use,
			// but no statement runs, so statement_timeout cannot cut the hold short.
			sleep(holdMs);
			if (inTransaction) {
				// Fails with 25P03 if the server ended the idle transaction meanwhile.
				connection.rollback();
			}
		}
		return new WorkResult(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - borrowed), backendPid);
	}

	@GetMapping("/work/compute")
	ComputeResult compute(@RequestParam long loops) {
		if (loops < 1 || loops > MAX_LOOPS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"loops must be between 1 and " + MAX_LOOPS + ", was " + loops);
		}
		long start = System.nanoTime();
		long counted = this.jdbc.sql("SELECT count(*) FROM generate_series(1, :loops)")
			.param("loops", loops)
			.query(Long.class)
			.single();
		return new ComputeResult(counted, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
	}

	private WorkResult statement(long statementMs) {
		long start = System.nanoTime();
		// A failure comes as Spring's DataAccessException, as from any repository.
		int backendPid = this.jdbc.sql("SELECT pg_backend_pid() FROM pg_sleep(:seconds)")
			.param("seconds", statementMs / 1000.0)
			.query(Integer.class)
			.single();
		return new WorkResult(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), backendPid);
	}

	private static void checkRange(String name, long millis) {
		if (millis < 0 || millis > MAX_HOLD_MS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					name + " must be between 0 and " + MAX_HOLD_MS + ", was " + millis);
		}
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while holding the connection", ex);
		}
	}

}
