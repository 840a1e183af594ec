package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/** An immutable version of a template: its manifest, the digest and size of its archive, and its files. */
public record TemplateVersion(UUID tenantId, UUID templateId, String version, String digest, long sizeBytes,
        long unpackedBytes, JsonNode manifest, List<InspectedArchive.ArchiveFile> files, boolean yanked,
        @Nullable Instant yankedAt, @Nullable String yankReason, @Nullable UUID publishedBy, Instant publishedAt) {
}
