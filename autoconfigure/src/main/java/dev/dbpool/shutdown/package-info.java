/**
 * Graceful shutdown: draining the application's HikariCP pools once the web server and
 * Spring's executors have stopped, then closing them.
 */
@NullMarked
package dev.dbpool.shutdown;

import org.jspecify.annotations.NullMarked;
