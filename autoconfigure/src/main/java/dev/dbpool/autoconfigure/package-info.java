/**
 * Auto-configuration of db-pool: the tuned PostgreSQL pool and its properties.
 */
@NullMarked
package dev.dbpool.autoconfigure;

import org.jspecify.annotations.NullMarked;
