package dev.canopy.platform.db;

/**
 * Connection details of the control-plane database: the schema owner (migrations) and the runtime role (everything
 * else). The data placement registry registers it as its first server.
 */
public record DatabaseEndpoint(String url, String ownerUser, String ownerPassword, String appUser,
        String appPassword) {

    @Override
    public String toString() {
        return "DatabaseEndpoint[" + url + ", owner " + ownerUser + ", runtime " + appUser + "]"; // never passwords
    }
}
