package dev.dbpool.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The db-pool sample app: a small web app using the starter as a user would.
 * <p>
 * From the repository root, {@code ./mvnw -pl sample-app -am spring-boot:run} starts it
 * against the PostgreSQL configured in application.yml (a local server by default), and
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run} against a Testcontainers
 * PostgreSQL (needs Docker).
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
