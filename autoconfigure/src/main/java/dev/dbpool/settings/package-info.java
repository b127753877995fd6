/**
 * A pool's settings once resolved: the one value every part of db-pool reads, with where
 * each value came from; profiles, PostgreSQL's limits and start-up options.
 */
@NullMarked
package dev.dbpool.settings;

import org.jspecify.annotations.NullMarked;
