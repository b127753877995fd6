package dev.dbpool.guard;

import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.SQLExceptionOverride;
import org.jspecify.annotations.Nullable;

/**
 * HikariCP's one hook for an exception a statement threw ({@link SQLExceptionOverride}),
 * shared by the guards that must see failed statements: each adds a link in front of the
 * override the pool had (the application's own, or another guard's), which decides first;
 * the link sees the failure and that decision, and may change it. It costs nothing until
 * a statement fails.
 *
 * @author db-pool
 * @since 0.7.0
 */
public final class ExceptionOverrides {

	private ExceptionOverrides() {
	}

	/**
	 * Add a link to a pool's override; call it once the pool is configured, before it
	 * starts.
	 * @param pool the pool
	 * @param link what the guard does with a failed statement
	 */
	public static void chain(HikariConfig pool, Link link) {
		pool.setExceptionOverride(new Chained(link, pool.getExceptionOverride()));
	}

	/**
	 * What a guard does with a failed statement.
	 */
	@FunctionalInterface
	public interface Link {

		/**
		 * See a failure, and decide.
		 * @param ex the failure
		 * @param decided what the override before this link decided
		 * @return the decision
		 */
		SQLExceptionOverride.Override adjudicate(SQLException ex, SQLExceptionOverride.Override decided);

	}

	private static final class Chained implements SQLExceptionOverride {

		private final Link link;

		private final @Nullable SQLExceptionOverride before;

		Chained(Link link, @Nullable SQLExceptionOverride before) {
			this.link = link;
			this.before = before;
		}

		// The interface's own Override enum shadows the annotation's simple name.
		@java.lang.Override
		public SQLExceptionOverride.Override adjudicate(SQLException ex) {
			SQLExceptionOverride.Override decided = (this.before != null) ? this.before.adjudicate(ex)
					: SQLExceptionOverride.Override.CONTINUE_EVICT;
			return this.link.adjudicate(ex, decided);
		}

	}

}
