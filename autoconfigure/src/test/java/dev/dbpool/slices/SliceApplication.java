package dev.dbpool.slices;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application Spring Boot's test slices in this package find, as they would an
 * application's own.
 */
@SpringBootApplication
class SliceApplication {

}
