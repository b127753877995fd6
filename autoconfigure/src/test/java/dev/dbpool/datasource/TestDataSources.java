package dev.dbpool.datasource;

import java.util.List;

import dev.dbpool.guard.PoolGuard;

/**
 * db-pool's data source with guards of a test's choosing, without a server to read.
 */
public final class TestDataSources {

	private TestDataSources() {
	}

	/**
	 * Return a pool, not started, that holds the given guards.
	 * @param poolName the pool's name
	 * @param guards its guards
	 * @return the pool
	 */
	public static DbPoolDataSource withGuards(String poolName, PoolGuard... guards) {
		DbPoolDataSource pool = new DbPoolDataSource();
		pool.setPoolName(poolName);
		pool.built(null, List.of(guards));
		return pool;
	}

}
