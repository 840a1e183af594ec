package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * An environment's rules: how many distinct approvers (holding one of the roles) a run needs, whether requesters
 * may approve their own runs, how long approvals may take, the TTL deployments get and may reach, and the tags every
 * deployment must carry.
 */
record Protection(int requiredApprovals, List<String> approverRoles, boolean allowSelfApproval,
        Duration approvalTimeout, @Nullable Duration ttlDefault, @Nullable Duration ttlMax, List<String> requiredTags) {

    static final Protection NONE = new Protection(0, List.of(), false, Duration.ofDays(2), null, null, List.of());

    Protection {
        approverRoles = List.copyOf(approverRoles);
        requiredTags = List.copyOf(requiredTags);
    }

    boolean needsApproval() {
        return requiredApprovals > 0;
    }
}
