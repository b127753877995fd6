/**
 * Answering, in a Spring MVC application, the requests that could not get a database
 * connection: 503 Service Unavailable with {@code Retry-After} and an RFC 9457 problem
 * body.
 */
@NullMarked
package dev.dbpool.web;

import org.jspecify.annotations.NullMarked;
