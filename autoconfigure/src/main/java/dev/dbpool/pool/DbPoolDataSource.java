package dev.dbpool.pool;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudget;
import org.jspecify.annotations.Nullable;

/**
 * The HikariCP pool db-pool builds: a {@link HikariDataSource} (so it is injected,
 * unwrapped and bound to meters as one) and the one place db-pool's guards touch the
 * borrow path. Each guard is set up before the pool starts and costs nothing when it is
 * off.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class DbPoolDataSource extends HikariDataSource {

	private volatile @Nullable ConnectionBudget connectionBudget;

	@Override
	public Connection getConnection() throws SQLException {
		return super.getConnection();
	}

	/**
	 * Return the connection budget checked before the pool started.
	 * @return the budget, or {@code null} if it was not checked
	 */
	public @Nullable ConnectionBudget getConnectionBudget() {
		return this.connectionBudget;
	}

	/**
	 * Set the connection budget checked before the pool started.
	 * @param connectionBudget the budget
	 */
	public void setConnectionBudget(@Nullable ConnectionBudget connectionBudget) {
		this.connectionBudget = connectionBudget;
	}

}
