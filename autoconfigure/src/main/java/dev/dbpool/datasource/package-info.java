/**
 * The pool db-pool builds: its data source type, its assembly, and the source through
 * which it opens its physical connections.
 */
@NullMarked
package dev.dbpool.datasource;

import org.jspecify.annotations.NullMarked;
