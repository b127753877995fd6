package dev.dbpool.sample;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample against a Testcontainers PostgreSQL, where Docker is available:
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}.
 */
public class TestSampleApplication {

	public static void main(String[] args) {
		SpringApplication.from(SampleApplication::main).with(TestcontainersConfiguration.class).run(args);
	}

}
