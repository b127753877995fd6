package dev.dbpool.leaks;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeakCountingRuntimeHints}.
 */
class LeakCountingRuntimeHintsTests {

	@Test
	void hikarisLeakTaskCanBeLookedUpByName() {
		RuntimeHints hints = new RuntimeHints();
		new LeakCountingRuntimeHints().registerHints(hints, getClass().getClassLoader());
		// Registered only if present: this HikariCP has the class.
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(LeakCountingScheduler.LEAK_TASK)))
			.accepts(hints);
	}

	@Test
	void registeredInAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.hasAtLeastOneElementOfType(LeakCountingRuntimeHints.class);
	}

}
