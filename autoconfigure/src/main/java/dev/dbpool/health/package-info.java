/**
 * The {@code dbPool} health indicator, which answers from the connection monitor's state
 * and HikariCP's counters without borrowing a connection.
 */
@NullMarked
package dev.dbpool.health;

import org.jspecify.annotations.NullMarked;
