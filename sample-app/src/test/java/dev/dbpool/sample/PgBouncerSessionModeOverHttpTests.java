package dev.dbpool.sample;

import org.junit.jupiter.api.BeforeAll;

/**
 * The sample app behind PgBouncer in session mode, as its own user: only
 * {@code spring.datasource.url} and the console's URL changed.
 */
class PgBouncerSessionModeOverHttpTests extends AbstractPgBouncerOverHttpTests {

	@BeforeAll
	static void startPgBouncer() {
		connectThrough(SamplePgBouncer.session());
	}

	@Override
	String poolMode() {
		return "session";
	}

}
