package dev.canopy.tenancy.internal;

import java.time.Instant;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.DatabaseEndpoint;

/**
 * Registers the control-plane database (embedded or configured) as the server {@code local} at first start, and
 * keeps its address and credentials those Canopy was started with (they come from the environment, not the API).
 */
@Component
class LocalServerRegistration {

    private static final int LOCAL_CAPACITY = 100_000;

    private final DatabaseServers servers;
    private final DatabaseServerRegistry registry;
    private final ServerProbe probe;
    private final DatabaseEndpoint endpoint;
    private final PlacementSettings placement;

    LocalServerRegistration(DatabaseServers servers, DatabaseServerRegistry registry, ServerProbe probe,
            DatabaseEndpoint endpoint, PlacementSettings placement) {
        this.servers = servers;
        this.registry = registry;
        this.probe = probe;
        this.endpoint = endpoint;
        this.placement = placement;
    }

    @EventListener(ApplicationReadyEvent.class)
    void register() {
        ServerProbe.Health health = probe.check(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword(),
                endpoint.appUser(), endpoint.appPassword());
        Instant now = Instant.now();
        var existing = servers.findByName(DatabaseServer.LOCAL);
        if (existing.isPresent()) {
            DatabaseServer s = existing.get();
            servers.update(new DatabaseServer(s.id(), s.name(), s.region(), endpoint.url(), endpoint.ownerUser(),
                    registry.seal(s.id(), "owner", endpoint.ownerPassword()), endpoint.appUser(),
                    registry.seal(s.id(), "runtime", endpoint.appPassword()), s.role(), s.capacity(),
                    health.status(), health.detail(), health.version(), now, s.createdAt(), s.updatedAt(),
                    s.version()), s.version());
            return;
        }
        var id = Ids.newId();
        try {
            servers.insert(new DatabaseServer(id, DatabaseServer.LOCAL, placement.defaultRegion(), endpoint.url(),
                    endpoint.ownerUser(), registry.seal(id, "owner", endpoint.ownerPassword()), endpoint.appUser(),
                    registry.seal(id, "runtime", endpoint.appPassword()), "primary", LOCAL_CAPACITY,
                    health.status(), health.detail(), health.version(), now, now, now, 0));
        }
        catch (DuplicateKeyException e) {
            // another instance registered it at the same moment
        }
    }
}
