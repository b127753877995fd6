package dev.dbpool.autoconfigure.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;

/**
 * The entity of a small JPA application.
 */
@Entity
@Table(name = "dbpool_jpa_customer")
public class Customer {

	@Id
	@GeneratedValue
	private @Nullable Long id;

	private String name = "";

	protected Customer() {
	}

	public Customer(String name) {
		this.name = name;
	}

	public @Nullable Long getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

}
