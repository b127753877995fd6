/**
 * The sample's default database, for a machine where none is configured: the local
 * PostgreSQL, or a throw-away embedded one.
 */
@NullMarked
package dev.dbpool.sample.database;

import org.jspecify.annotations.NullMarked;
