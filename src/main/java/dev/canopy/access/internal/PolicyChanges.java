package dev.canopy.access.internal;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.platform.db.ChangeBroadcast;

/** Announces, inside the changing transaction, that a tenant's roles, groups or grants changed. */
@Component
public class PolicyChanges {

    public static final String TOPIC = "policy";

    private final ChangeBroadcast changes;

    PolicyChanges(ChangeBroadcast changes) {
        this.changes = changes;
    }

    public void changed(UUID tenantId) {
        changes.publish(TOPIC, tenantId.toString());
    }
}
