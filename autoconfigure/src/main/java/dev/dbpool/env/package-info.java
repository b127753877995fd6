/**
 * The environment variable names operators already use, mapped onto
 * {@code app.db.pool.*}, and the {@code DATABASE_URL} parser.
 */
@NullMarked
package dev.dbpool.env;

import org.jspecify.annotations.NullMarked;
