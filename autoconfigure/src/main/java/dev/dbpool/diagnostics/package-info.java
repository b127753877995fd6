/**
 * Start-up failures with an explanation: the exceptions db-pool throws for unusable
 * configuration, their failure analyzer, and the analyzer of a database that cannot be
 * reached.
 */
@NullMarked
package dev.dbpool.diagnostics;

import org.jspecify.annotations.NullMarked;
