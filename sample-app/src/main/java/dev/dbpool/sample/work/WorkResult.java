package dev.dbpool.sample.work;

/**
 * The answer of {@code GET /work}.
 *
 * @param heldMs how long the request held the connection, from borrowing to returning it
 * (with {@code statementMs}, how long the statement took, the borrow included)
 * @param backendPid the PostgreSQL backend process behind the connection
 */
public record WorkResult(long heldMs, int backendPid) {

}
