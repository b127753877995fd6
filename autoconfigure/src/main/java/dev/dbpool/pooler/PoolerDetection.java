package dev.dbpool.pooler;

import dev.dbpool.settings.PoolerMode;
import org.jspecify.annotations.Nullable;

/**
 * What start-up found between the pool and the server.
 *
 * @param mode the mode found, or whose rules apply; {@code null} if it could not tell
 * whether a pooler is in between
 * @param evidence what showed it, or why it could not tell
 * @param proven whether the mode is known, rather than assumed because its rules hold in
 * either mode
 * @author db-pool
 * @since 0.5.0
 */
public record PoolerDetection(@Nullable PoolerMode mode, String evidence, boolean proven) {

	/**
	 * Whether the mode was found.
	 * @return whether it was
	 */
	public boolean found() {
		return this.mode != null;
	}

}
