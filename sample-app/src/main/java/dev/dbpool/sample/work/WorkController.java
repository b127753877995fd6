package dev.dbpool.sample.work;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.springframework.http.HttpStatus;
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
 */
@RestController
public class WorkController {

	private static final long MAX_HOLD_MS = 60_000;

	private final DataSource dataSource;

	WorkController(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@GetMapping("/work")
	WorkResult work(@RequestParam(defaultValue = "0") long holdMs,
			@RequestParam(defaultValue = "false") boolean inTransaction) throws SQLException {
		if (holdMs < 0 || holdMs > MAX_HOLD_MS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"holdMs must be between 0 and " + MAX_HOLD_MS + ", was " + holdMs);
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
