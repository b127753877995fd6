package dev.dbpool.health;

import dev.dbpool.replica.ReadReplica;
import dev.dbpool.settings.ReplicaFallback;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Spring Boot's {@code db} health of a read replica's pool that the application does not
 * require ({@code app.db.pool.replicas.required=false}): what the pool's own indicator
 * says, but UP where it says DOWN, with a {@value #DETAIL} detail saying why, since
 * read-only work then goes where {@code app.db.pool.replicas.fallback} says and the
 * application still serves.
 *
 * @author db-pool
 * @since 0.7.0
 */
public class OptionalReplicaHealthIndicator implements HealthIndicator {

	/** Detail, when the replica is DOWN: that it is, and where reads go. */
	public static final String DETAIL = "replica";

	private final HealthIndicator delegate;

	private final ReadReplica replica;

	/**
	 * Create an indicator.
	 * @param delegate the pool's own indicator
	 * @param replica the replica's guard
	 */
	public OptionalReplicaHealthIndicator(HealthIndicator delegate, ReadReplica replica) {
		this.delegate = delegate;
		this.replica = replica;
	}

	@Override
	public @Nullable Health health() {
		Health health = this.delegate.health();
		if (health == null || !Status.DOWN.equals(health.getStatus()) || this.replica.settings().required()) {
			return health;
		}
		return Health.up().withDetails(health.getDetails()).withDetail(DETAIL, notRequired(this.replica)).build();
	}

	static String notRequired(ReadReplica replica) {
		return "DOWN, not required (app.db.pool.replicas.required=false): read-only work "
				+ ((replica.settings().fallback() == ReplicaFallback.PRIMARY)
						? "goes to pool '" + replica.settings().primary() + "'" : "fails with 503 (fallback fail)");
	}

}
