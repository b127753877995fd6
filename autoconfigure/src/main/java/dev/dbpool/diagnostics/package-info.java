/**
 * Start-up failures with an explanation: the exceptions db-pool throws for unusable
 * configuration and their failure analyzers.
 */
@NullMarked
package dev.dbpool.diagnostics;

import org.jspecify.annotations.NullMarked;
