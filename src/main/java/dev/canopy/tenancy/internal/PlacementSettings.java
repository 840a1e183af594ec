package dev.canopy.tenancy.internal;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where tenants' data may live ({@code canopy.placement.*}): the regions offered, the default one, and the tier a
 * tenant gets when its creation names none ({@code pool} or {@code schema}).
 */
@ConfigurationProperties("canopy.placement")
record PlacementSettings(List<Region> regions, String defaultRegion, @DefaultValue("pool") String defaultTier) {

    /** A region key ({@code eu-west}) with its name for people. */
    record Region(String key, String name) {
    }

    boolean knows(String key) {
        return regions.stream().anyMatch(r -> r.key().equals(key));
    }
}
