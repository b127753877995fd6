/**
 * Retrying, with exponential backoff and jitter, the opening of a physical connection
 * that failed because the server is restarting, failing over or out of slots: the policy,
 * the failures worth retrying, and the retrier, on Spring's {@code RetryTemplate}, that
 * HikariCP's connection-opening path runs.
 */
@NullMarked
package dev.dbpool.retry;

import org.jspecify.annotations.NullMarked;
