/**
 * The db-pool sample app: a small web app that uses the starter as a user would.
 */
@NullMarked
package dev.dbpool.sample;

import org.jspecify.annotations.NullMarked;
