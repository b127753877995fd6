/**
 * A read replica beside the primary: its lag and availability, read on the monitor's
 * thread, and where read-only work goes because of them.
 */
@NullMarked
package dev.dbpool.replica;

import org.jspecify.annotations.NullMarked;
