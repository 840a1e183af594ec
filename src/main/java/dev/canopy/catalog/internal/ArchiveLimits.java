package dev.canopy.catalog.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * What a template archive may hold ({@code canopy.catalog.archive.*}): entries, unpacked bytes, compression
 * ratio, how deep ZIPs may nest, and the size of the upload itself.
 */
@ConfigurationProperties("canopy.catalog.archive")
public record ArchiveLimits(int maxEntries, DataSize maxUnpacked, int maxRatio, int maxNesting, DataSize maxUpload) {

    /** Below this many unpacked bytes a high ratio is harmless (a few kilobytes of repeated YAML). */
    static final long RATIO_FLOOR = 1024 * 1024;

    public ArchiveLimits {
        maxEntries = maxEntries == 0 ? 2000 : maxEntries;
        maxUnpacked = maxUnpacked == null ? DataSize.ofMegabytes(50) : maxUnpacked;
        maxRatio = maxRatio == 0 ? 100 : maxRatio;
        maxNesting = maxNesting == 0 ? 2 : maxNesting;
        maxUpload = maxUpload == null ? DataSize.ofMegabytes(50) : maxUpload;
    }
}
