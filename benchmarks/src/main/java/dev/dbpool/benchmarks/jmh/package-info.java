/**
 * JMH benchmarks of the connection hot path: a bare {@code HikariDataSource}, Spring
 * Boot's own pool and the {@code DataSource} db-pool gives an application, and the cost
 * per call of db-pool's monitor and health check.
 */
@NullMarked
package dev.dbpool.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
