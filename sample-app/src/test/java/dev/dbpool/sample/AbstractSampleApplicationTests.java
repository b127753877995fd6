package dev.dbpool.sample;

import dev.dbpool.testsupport.TestDatabase;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole app on a random port against the test PostgreSQL, called over real HTTP. All
 * subclasses share one application context (same configuration), so it starts once.
 */
abstract class AbstractSampleApplicationTests extends AbstractOverHttpTests {

	@DynamicPropertySource
	static void testDatabase(DynamicPropertyRegistry registry) {
		TestDatabase.register(registry);
	}

}
