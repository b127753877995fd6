package dev.dbpool.sample.work;

/**
 * The answer of {@code GET /work/compute}.
 *
 * @param counted the rows the query counted (the {@code loops} asked for)
 * @param tookMicros how long the query took, the borrow included, in microseconds
 */
public record ComputeResult(long counted, long tookMicros) {

}
