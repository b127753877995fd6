/**
 * The connection monitor: samples every HikariCP pool in the application from HikariCP's
 * own counters, without borrowing a connection, keeps a short history and the pools'
 * exhaustion episodes, and logs one line per pool and interval.
 */
@NullMarked
package dev.dbpool.monitor;

import org.jspecify.annotations.NullMarked;
