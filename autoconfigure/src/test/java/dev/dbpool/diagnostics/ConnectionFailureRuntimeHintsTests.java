package dev.dbpool.diagnostics;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionFailureRuntimeHints}.
 */
class ConnectionFailureRuntimeHintsTests {

	@Test
	void classesLookedUpByNameAreRegistered() {
		RuntimeHints hints = new RuntimeHints();
		new ConnectionFailureRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection().onType(org.postgresql.Driver.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(JdbcConnectionDetails.class)).accepts(hints);
	}

	@Test
	void registeredInAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.hasAtLeastOneElementOfType(ConnectionFailureRuntimeHints.class);
	}

}
