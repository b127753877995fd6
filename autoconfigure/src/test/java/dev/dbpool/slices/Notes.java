package dev.dbpool.slices;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The repository of the {@code @DataJpaTest} slice.
 */
interface Notes extends JpaRepository<Note, Long> {

}
