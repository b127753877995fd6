/**
 * db-pool's benchmarks: what the starter costs on the connection hot path (JMH, in
 * {@code jmh}) and the report and charts made from all benchmark results (in
 * {@code report}). The load and pool-size benchmarks are scripts under
 * {@code benchmarks/load}.
 */
@NullMarked
package dev.dbpool.benchmarks;

import org.jspecify.annotations.NullMarked;
