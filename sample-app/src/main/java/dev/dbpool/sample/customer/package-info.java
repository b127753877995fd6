/**
 * Customer look-ups: by key and a short list.
 */
@NullMarked
package dev.dbpool.sample.customer;

import org.jspecify.annotations.NullMarked;
