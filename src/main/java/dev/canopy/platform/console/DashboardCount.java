package dev.canopy.platform.console;

import java.util.List;
import java.util.Optional;

import dev.canopy.platform.security.CanopyPrincipal;

/**
 * A count on the console's dashboard (users, roles, groups, cloud accounts ...), contributed as a bean by the
 * module that owns the data. Empty when the principal may not see it.
 */
public interface DashboardCount {

    /** The tile: a label, the number in the principal's current tenant, and where to see them. */
    record Tile(String label, long count, String path, int order) {
    }

    Optional<Tile> count(CanopyPrincipal principal);

    /** Several tiles, for a module that counts per something (deployments per environment). */
    default List<Tile> counts(CanopyPrincipal principal) {
        return count(principal).stream().toList();
    }
}
