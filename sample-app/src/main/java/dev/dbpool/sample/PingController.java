package dev.dbpool.sample;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /ping}: answers without touching the database, so a benchmark can measure
 * the HTTP ceiling the database endpoints are compared against.
 */
@RestController
public class PingController {

	@GetMapping(path = "/ping", produces = MediaType.TEXT_PLAIN_VALUE)
	String ping() {
		return "pong";
	}

}
