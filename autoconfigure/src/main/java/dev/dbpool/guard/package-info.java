/**
 * The seam every guard of a pool implements: what it adds to the pool's health details,
 * which meters it publishes, and whether it sits on the borrow path. The health indicator
 * and the meter binder iterate over a pool's guards; neither lists them.
 */
@NullMarked
package dev.dbpool.guard;

import org.jspecify.annotations.NullMarked;
