/**
 * Turns a benchmark run's raw results (wrk, pgbench and JMH output, samples taken by the
 * scripts) into one JSON document, a Markdown report with each target's verdict, and
 * charts.
 */
@NullMarked
package dev.dbpool.benchmarks.report;

import org.jspecify.annotations.NullMarked;
