package dev.dbpool.sample.customer;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /customers/{id}} (a look-up by primary key) and
 * {@code GET /customers?limit=N} (a short list).
 */
@RestController
public class CustomerController {

	private static final int MAX_LIMIT = 100;

	private final CustomerRepository customers;

	CustomerController(CustomerRepository customers) {
		this.customers = customers;
	}

	@GetMapping("/customers/{id}")
	Customer customer(@PathVariable long id) {
		return this.customers.findById(id).orElseThrow(() -> new CustomerNotFoundException(id));
	}

	@GetMapping("/customers")
	List<Customer> customers(@RequestParam(defaultValue = "20") int limit) {
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
		}
		return this.customers.findFirst(limit);
	}

}
