package dev.dbpool.slices;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;

/**
 * The entity of the {@code @DataJpaTest} slice.
 */
@Entity
@Table(name = "dbpool_slice_note")
class Note {

	@Id
	@GeneratedValue
	private @Nullable Long id;

	private String text = "";

	protected Note() {
	}

	Note(String text) {
		this.text = text;
	}

	@Nullable Long getId() {
		return this.id;
	}

	String getText() {
		return this.text;
	}

}
