package dev.dbpool.leaks;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Runtime hints for leak counting: {@link LeakCountingScheduler} looks HikariCP's leak
 * task class up by name, which a native image answers only for a registered type.
 * Registered in {@code META-INF/spring/aot.factories}.
 *
 * @author db-pool
 */
class LeakCountingRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerTypeIfPresent(classLoader, LeakCountingScheduler.LEAK_TASK);
	}

}
