/**
 * The {@code dbpool} actuator endpoint: the pools db-pool built, their settings and where
 * each came from, and their size changed at run time.
 */
@NullMarked
package dev.dbpool.endpoint;

import org.jspecify.annotations.NullMarked;
