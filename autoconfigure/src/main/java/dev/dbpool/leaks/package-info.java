/**
 * Leaked connections: the connections held longer than HikariCP's leak-detection
 * threshold, counted and kept while they are out, from HikariCP's own leak detection.
 */
@NullMarked
package dev.dbpool.leaks;

import org.jspecify.annotations.NullMarked;
