package dev.dbpool.sample.customer;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Thrown when a request names a customer that does not exist; rendered as a 404 problem,
 * and, being unchecked, rolls back the transaction it leaves.
 */
public class CustomerNotFoundException extends ErrorResponseException {

	/**
	 * Create an exception for the given id.
	 * @param id the id no customer has
	 */
	public CustomerNotFoundException(long id) {
		super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No customer with id " + id),
				null);
	}

}
