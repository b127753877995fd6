/**
 * The connection budget: what the server, the role and the database allow this fleet of
 * applications, read at start-up and compared with its pools.
 */
@NullMarked
package dev.dbpool.budget;

import org.jspecify.annotations.NullMarked;
