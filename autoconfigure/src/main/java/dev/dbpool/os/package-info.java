/**
 * The process as the operating system limits it: its file descriptors, read from the JVM,
 * against the connections its pools may open.
 */
@NullMarked
package dev.dbpool.os;

import org.jspecify.annotations.NullMarked;
