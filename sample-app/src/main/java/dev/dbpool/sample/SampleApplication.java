package dev.dbpool.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The db-pool sample app: a small web app using the starter as a user would.
 * <p>
 * From the repository root, {@code ./mvnw -pl sample-app -am spring-boot:run} starts it
 * against the PostgreSQL named by {@code spring.datasource.url} or {@code DATABASE_URL};
 * with neither, against the local server on 127.0.0.1:5432, or a throw-away embedded
 * PostgreSQL where none answers ({@code dev.dbpool.sample.database}).
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run} starts it against a
 * Testcontainers PostgreSQL (needs Docker).
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
