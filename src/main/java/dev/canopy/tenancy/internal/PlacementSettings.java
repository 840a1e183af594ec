package dev.canopy.tenancy.internal;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Where tenants' data may live ({@code canopy.placement.*}): the regions offered and the default one. */
@ConfigurationProperties("canopy.placement")
record PlacementSettings(List<Region> regions, String defaultRegion) {

    /** A region key ({@code eu-west}) with its name for people. */
    record Region(String key, String name) {
    }

    boolean knows(String key) {
        return regions.stream().anyMatch(r -> r.key().equals(key));
    }
}
