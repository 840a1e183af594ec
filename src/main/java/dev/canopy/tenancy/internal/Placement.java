package dev.canopy.tenancy.internal;

import java.util.UUID;

/** Where a new tenant's data goes: its tier ({@code pool}, {@code schema}), the region it stays in, the server. */
public record Placement(String tier, String region, UUID serverId) {
}
