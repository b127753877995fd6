/**
 * The server's view of the pool db-pool builds: what PostgreSQL shows of the
 * application's sessions ({@code pg_stat_activity}), read over one connection of
 * db-pool's own beside the pool, on the monitor's thread.
 */
@NullMarked
package dev.dbpool.server;

import org.jspecify.annotations.NullMarked;
