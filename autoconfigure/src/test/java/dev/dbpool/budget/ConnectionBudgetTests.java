package dev.dbpool.budget;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dbpool.guard.GuardMeter;
import dev.dbpool.settings.BudgetMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionBudget}'s arithmetic: which limit binds for an ordinary role
 * and for a superuser, with and without {@code reserved_connections}, and what is left
 * for each instance.
 */
class ConnectionBudgetTests {

	@Test
	void ordinaryRoleCannotHaveTheSuperuserReservedSlots() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, -1, -1, 10, 0, 0), 2, 20, BudgetMode.WARN);
		assertThat(budget.limit()).isEqualTo(97);
		assertThat(budget.usedByOthers()).isEqualTo(10);
		assertThat(budget.available()).isEqualTo(87);
		assertThat(budget.demand()).isEqualTo(40);
		assertThat(budget.headroom()).isEqualTo(47);
		assertThat(budget.isOverBudget()).isFalse();
		assertThat(budget.safeMaxConnections()).isEqualTo(43);
		assertThat(budget.boundBy()).isEqualTo("server max_connections 100 - superuser_reserved_connections 3");
		assertThat(budget.describeLimit()).isEqualTo(
				"the server allows 97 (max_connections 100 - superuser_reserved_connections 3, 10 held by others)");
		assertThat(budget.describeDemand()).isEqualTo("2 instances × max-connections 20 = 40");
	}

	@Test
	void reservedConnectionsWhereTheServerHasThemAreNotForAnOrdinaryRole() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, 5, -1, -1, 0, 0, 0), 1, 20, BudgetMode.WARN);
		assertThat(budget.limit()).isEqualTo(92);
		assertThat(budget.boundBy())
			.isEqualTo("server max_connections 100 - superuser_reserved_connections 3 - reserved_connections 5");
	}

	@Test
	void superuserMayUseEverySlotAndNoRoleOrDatabaseLimitApplies() {
		ConnectionBudget budget = ConnectionBudget.of(limits(true, 5, 2, 2, 10, 0, 0), 1, 20, BudgetMode.WARN);
		assertThat(budget.limit()).isEqualTo(100);
		assertThat(budget.available()).isEqualTo(90);
		assertThat(budget.boundBy()).isEqualTo("server max_connections 100");
		assertThat(budget.isOverBudget()).isFalse();
	}

	@Test
	void roleLimitBindsWhenItLeavesLeast() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 30, -1, 50, 4, 4), 2, 20, BudgetMode.WARN);
		assertThat(budget.limit()).isEqualTo(30);
		assertThat(budget.usedByOthers()).isEqualTo(4);
		assertThat(budget.headroom()).isEqualTo(-14);
		assertThat(budget.isOverBudget()).isTrue();
		assertThat(budget.safeMaxConnections()).isEqualTo(13);
		assertThat(budget.boundBy()).isEqualTo("role app CONNECTION LIMIT 30");
		assertThat(budget.describeLimit()).isEqualTo("role 'app' allows 30 (CONNECTION LIMIT 30, 4 held by others)");
	}

	@Test
	void databaseLimitBindsWhenOthersInTheDatabaseLeaveLeast() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 30, 40, 50, 4, 35), 1, 10, BudgetMode.FAIL);
		assertThat(budget.limit()).isEqualTo(40);
		assertThat(budget.available()).isEqualTo(5);
		assertThat(budget.safeMaxConnections()).isEqualTo(5);
		assertThat(budget.boundBy()).isEqualTo("database orders CONNECTION LIMIT 40");
		assertThat(budget.describeLimit())
			.isEqualTo("database 'orders' allows 40 (CONNECTION LIMIT 40, 35 held by others)");
	}

	@Test
	void serverBindsWhenOthersOnTheServerLeaveLessThanTheRoleLimit() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 30, -1, 90, 0, 0), 1, 10, BudgetMode.WARN);
		assertThat(budget.available()).isEqualTo(7);
		assertThat(budget.boundBy()).startsWith("server ");
	}

	@Test
	void noSafeMaxConnectionsWhenLessIsLeftThanOnePerInstance() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 3, -1, 0, 2, 0), 2, 5, BudgetMode.CLAMP);
		assertThat(budget.available()).isEqualTo(1);
		assertThat(budget.safeMaxConnections()).isZero();
		assertThat(budget.isOverBudget()).isTrue();
	}

	@Test
	void othersHoldingMoreThanTheLimitLeaveNothing() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 3, -1, 0, 5, 0), 1, 1, BudgetMode.WARN);
		assertThat(budget.available()).isZero();
		assertThat(budget.headroom()).isEqualTo(-1);
	}

	@Test
	void clampedBudgetFits() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 30, -1, 0, 4, 0), 2, 20, BudgetMode.CLAMP);
		ConnectionBudget clamped = budget.withMaxConnections(budget.safeMaxConnections());
		assertThat(clamped.describeDemand()).isEqualTo("2 instances × max-connections 13 = 26");
		assertThat(clamped.headroom()).isZero();
		assertThat(clamped.isOverBudget()).isFalse();
		assertThat(clamped.mode()).isEqualTo(BudgetMode.CLAMP);
	}

	@Test
	void oneInstanceIsSingular() {
		ConnectionBudget budget = ConnectionBudget.of(limits(true, null, -1, -1, 0, 0, 0), 1, 5, BudgetMode.WARN);
		assertThat(budget.describeDemand()).isEqualTo("1 instance × max-connections 5 = 5");
	}

	private static ServerLimits limits(boolean superuser, Integer reserved, int roleLimit, int databaseLimit,
			int usedOnServer, int usedByRole, int usedInDatabase) {
		return new ServerLimits(100, 3, reserved, "app", superuser, roleLimit, "orders", databaseLimit, usedOnServer,
				usedByRole, usedInDatabase);
	}

	@Test
	void sideConnectionsCountInTheDemandAndComeOffTheSafeShare() {
		ConnectionBudget budget = ConnectionBudget.of(limits(false, null, 30, -1, 0, 4, 0), 2, 12, 1, BudgetMode.WARN);
		assertThat(budget.demand()).isEqualTo(26);
		assertThat(budget.headroom()).isZero();
		assertThat(budget.isOverBudget()).isFalse();
		assertThat(budget.safeMaxConnections()).isEqualTo(12);
		assertThat(budget.describeDemand()).isEqualTo("2 instances × (max-connections 12 + 1 side connection) = 26");
		assertThat(budget.withMaxConnections(13).isOverBudget()).isTrue();
	}

	@Test
	void asAGuardItReportsTheBudgetInTheHealthDetailsAndAsGauges() {
		ConnectionBudget budget = ConnectionBudget
			.of(new ServerLimits(100, 3, null, "app", false, 30, "orders", -1, 10, 4, 6), 2, 20, BudgetMode.WARN);
		Map<String, Object> details = new LinkedHashMap<>();
		budget.putDetails(details, Instant.now());
		assertThat(details).containsExactly(
				Map.entry("budget", Map.of("limit", 30, "usedByOthers", 4, "instances", 2, "demand", 40L, "headroom",
						-14L, "safeMaxConnections", 13, "boundBy", "role app CONNECTION LIMIT 30", "mode", "warn")));
		assertThat(budget.meters()).extracting(GuardMeter::name)
			.containsExactly("db.pool.budget.limit", "db.pool.budget.used.by.others", "db.pool.budget.demand",
					"db.pool.budget.headroom");
		assertThat(budget.meters()).allSatisfy((meter) -> assertThat(meter.type()).isEqualTo(GuardMeter.Type.GAUGE));
		assertThat(budget.onBorrowPath()).isFalse();
	}

}
