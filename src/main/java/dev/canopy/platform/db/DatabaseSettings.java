package dev.canopy.platform.db;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where Canopy's database is. Without a URL Canopy runs its own embedded PostgreSQL under the data
 * directory; with one, {@code user} owns the schema (migrations) and {@code appUser} is the runtime
 * role, which must not be able to bypass row-level security. {@code ownerPoolSize} bounds the owner's connections
 * (schema creation and tenant schema migrations, at least 4): it caps how many schemas migrate at once.
 */
@ConfigurationProperties("canopy.database")
record DatabaseSettings(String url, String user, String password, String appUser, String appPassword,
        int poolSize, boolean embeddedClean, int ownerPoolSize) {

    boolean external() {
        return url != null && !url.isBlank();
    }
}
