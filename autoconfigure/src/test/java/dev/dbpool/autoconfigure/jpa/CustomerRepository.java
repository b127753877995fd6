package dev.dbpool.autoconfigure.jpa;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The repository of a small JPA application.
 */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

}
